/**
 * The shipped starter list of matters (用证事项清单, version 1): matters a prefecture-level city
 * handles (德州市: 23 for people, 11 for firms), each with the proofs it used to require and how
 * each is replaced now. The first three are handled end to end as proof-free applications
 * (依申请 免提交, services/applications).
 * Put in force when this module loads; the store's published versions replace it (services/matters).
 */
import { putMattersInForce, type Matter, type MatterList } from './matters.js';
import { PERSONAL_MATTERS } from './matters-starter-personal.js';
import { ENTERPRISE_MATTERS } from './matters-starter-enterprise.js';

const civilAffairs = { id: 'civil-affairs', name: { zh: '市民政局', en: 'Municipal Civil Affairs Bureau' } };
const housingBureau = {
  id: 'housing-urban-rural',
  name: { zh: '市住房和城乡建设局', en: 'Municipal Housing and Urban-Rural Development Bureau' },
};
const humanResources = {
  id: 'human-resources-social-security',
  name: { zh: '市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' },
};

const householdRegister = { zh: '户口簿', en: 'household register (hukou booklet)' };
const byPublicSecurity = { zh: '公安机关', en: 'public security bureau' };

export const STARTER_MATTERS: readonly Matter[] = [
  {
    // 居家养老服务补贴: for older people in economic hardship who need care at home.
    id: 'home-care-service-subsidy',
    subject: 'person',
    title: { zh: '居家养老服务补贴申请', en: 'Home elderly-care service subsidy' },
    department: civilAffairs,
    legalBasis: {
      zh: '《山东省养老服务条例》第二十八条；《德州市居家养老服务补贴实施办法》',
      en: 'Shandong Elderly Care Services Regulations, art. 28; Dezhou home elderly-care subsidy measures',
    },
    level: 'county',
    timeLimitWorkingDays: 15,
    fields: [
      { id: 'birth-date', label: { zh: '出生日期', en: 'Date of birth' }, fact: 'person.birthDate', required: true },
      {
        id: 'district',
        label: { zh: '户籍所在区县', en: 'District of hukou' },
        fact: 'person.district',
        required: true,
      },
      {
        id: 'lives-alone',
        label: { zh: '是否独居', en: 'Lives alone' },
        fact: 'person.livesAlone',
        required: false,
      },
      {
        id: 'care-level',
        label: { zh: '失能等级', en: 'Care-dependency level' },
        fact: 'person.careDependencyLevel',
        required: false,
      },
      { id: 'contact-phone', label: { zh: '联系电话', en: 'Contact phone' }, input: 'text', required: true },
      {
        id: 'service-address',
        label: { zh: '服务地址', en: 'Address for the service' },
        input: 'text',
        required: true,
      },
    ],
    proofs: [
      {
        id: 'household-register',
        title: householdRegister,
        issuedBy: byPublicSecurity,
        replacement: { method: 'sharing', facts: ['person.localHukou', 'person.birthDate'] },
      },
      {
        id: 'senior-card',
        title: { zh: '老年人优待证', en: 'senior preferential card' },
        issuedBy: { zh: '卫生健康部门（老龄办）', en: 'health commission (office on ageing)' },
        replacement: { method: 'certificate', certificateType: 'senior-preferential-card' },
      },
      {
        id: 'hardship-proof',
        title: { zh: '低保证或特困人员救助供养证', en: 'minimum-living-allowance or special-hardship certificate' },
        issuedBy: { zh: '民政部门', en: 'civil affairs bureau' },
        replacement: { method: 'verification', claim: 'receives-social-assistance' },
      },
      {
        id: 'family-situation',
        title: {
          zh: '子女赡养情况证明（村居委会出具）',
          en: 'statement of family support (from the neighbourhood committee)',
        },
        issuedBy: { zh: '村（居）民委员会', en: 'village or neighbourhood committee' },
        replacement: {
          method: 'pledge',
          statement: {
            zh: '本人承诺所报家庭成员及赡养情况真实，如有不实，愿承担相应责任并退回补贴。',
            en: 'I pledge that what I state of my family and of the support I receive is true; if not, I accept the consequences and will repay the subsidy.',
          },
        },
      },
    ],
    claims: ['local-hukou', 'receives-social-assistance'],
  },
  {
    // 公共租赁住房: for households in housing hardship.
    id: 'public-rental-housing',
    subject: 'person',
    title: { zh: '公共租赁住房申请', en: 'Public rental housing' },
    department: housingBureau,
    legalBasis: {
      zh: '《公共租赁住房管理办法》（住房和城乡建设部令第11号）第七条',
      en: 'Measures on Public Rental Housing (MOHURD Order No. 11), art. 7',
    },
    level: 'city',
    timeLimitWorkingDays: 20,
    fields: [
      {
        id: 'marital-status',
        label: { zh: '婚姻状况', en: 'Marital status' },
        fact: 'person.maritalStatus',
        required: true,
      },
      {
        id: 'income-per-capita',
        label: { zh: '家庭人均月收入（元）', en: 'Household income per head (yuan a month)' },
        fact: 'person.householdIncomePerCapita',
        required: true,
      },
      {
        id: 'district',
        label: { zh: '户籍所在区县', en: 'District of hukou' },
        fact: 'person.district',
        required: true,
      },
      {
        id: 'household-size',
        label: { zh: '申请家庭人数', en: 'People in the household' },
        input: 'number',
        required: true,
      },
      { id: 'contact-phone', label: { zh: '联系电话', en: 'Contact phone' }, input: 'text', required: true },
    ],
    proofs: [
      {
        id: 'household-register',
        title: householdRegister,
        issuedBy: byPublicSecurity,
        replacement: { method: 'sharing', facts: ['person.localHukou', 'person.district'] },
      },
      {
        id: 'marriage-certificate',
        title: { zh: '结婚证或离婚证', en: 'marriage or divorce certificate' },
        issuedBy: { zh: '民政部门（婚姻登记机关）', en: 'civil affairs bureau (marriage registry)' },
        replacement: { method: 'sharing', facts: ['person.maritalStatus'] },
      },
      {
        id: 'no-housing-proof',
        title: { zh: '无房证明', en: 'proof of owning no dwelling' },
        issuedBy: { zh: '不动产登记机构', en: 'real estate registry' },
        replacement: { method: 'verification', claim: 'owns-no-housing' },
      },
      {
        id: 'income-proof',
        title: { zh: '收入证明（单位出具）', en: 'proof of income (from the employer)' },
        issuedBy: { zh: '工作单位', en: 'employer' },
        replacement: {
          method: 'pledge',
          statement: {
            zh: '本人承诺所报家庭收入真实完整，如有隐瞒，愿退出公共租赁住房并承担相应责任。',
            en: 'I pledge that the household income I state is true and complete; if anything is hidden, I will leave the dwelling and accept the consequences.',
          },
        },
      },
    ],
    claims: ['local-hukou', 'owns-no-housing'],
  },
  {
    // 吸纳就业补贴 (a firm's hiring subsidy): for firms that hire registered unemployed people or graduates.
    id: 'enterprise-hiring-subsidy',
    subject: 'enterprise',
    title: { zh: '企业吸纳就业补贴申请', en: 'Hiring subsidy for firms' },
    department: humanResources,
    legalBasis: {
      zh: '《就业补助资金管理办法》（财社〔2017〕164号）第五条',
      en: 'Measures on Employment Subsidy Funds (Cai She [2017] No. 164), art. 5',
    },
    level: 'city',
    timeLimitWorkingDays: 10,
    fields: [
      {
        id: 'established-on',
        label: { zh: '成立日期', en: 'Date of establishment' },
        fact: 'enterprise.establishedOn',
        required: true,
      },
      { id: 'industry', label: { zh: '所属行业', en: 'Industry' }, fact: 'enterprise.industry', required: true },
      {
        id: 'new-hires',
        label: { zh: '上年新增就业岗位', en: 'New jobs last year' },
        fact: 'enterprise.newJobsLastYear',
        required: true,
      },
      {
        id: 'unemployed-hired',
        label: { zh: '上年吸纳登记失业人员', en: 'Registered unemployed hired last year' },
        fact: 'enterprise.registeredUnemployedHiredLastYear',
        required: true,
      },
      { id: 'contact-person', label: { zh: '经办人', en: 'Contact person' }, input: 'text', required: true },
      { id: 'contact-phone', label: { zh: '联系电话', en: 'Contact phone' }, input: 'text', required: true },
    ],
    proofs: [
      {
        id: 'business-licence',
        title: { zh: '营业执照副本', en: 'business licence (copy)' },
        issuedBy: { zh: '市场监督管理部门', en: 'market supervision administration' },
        replacement: { method: 'verification', claim: 'enterprise-in-operation' },
      },
      {
        id: 'social-insurance-proof',
        title: { zh: '社会保险缴费证明', en: 'proof of social insurance contributions' },
        issuedBy: { zh: '社会保险经办机构', en: 'social insurance agency' },
        replacement: { method: 'verification', claim: 'no-social-insurance-arrears' },
      },
      {
        id: 'staff-roster',
        title: { zh: '新招用人员花名册及劳动合同', en: 'roster and contracts of new hires' },
        issuedBy: { zh: '申请企业', en: 'the firm' },
        replacement: {
          method: 'sharing',
          facts: ['enterprise.newJobsLastYear', 'enterprise.registeredUnemployedHiredLastYear'],
        },
      },
      {
        id: 'no-violation-statement',
        title: { zh: '无重大违法行为声明', en: 'statement of no serious violations' },
        issuedBy: { zh: '申请企业', en: 'the firm' },
        replacement: {
          method: 'pledge',
          statement: {
            zh: '本单位承诺近一年无重大违法违规行为，所报用工信息真实，如有不实，愿退回补贴并纳入信用记录。',
            en: 'We pledge no serious violation in the past year and that the hiring we report is true; if not, we will repay the subsidy and accept a credit record.',
          },
        },
      },
    ],
    claims: ['enterprise-in-operation', 'no-social-insurance-arrears', 'tax-credit-a-or-b'],
  },
  // The rest of the city's list: people's matters (domain/matters-starter-personal.ts), then firms'.
  ...PERSONAL_MATTERS,
  ...ENTERPRISE_MATTERS,
];

export const STARTER_MATTER_LIST: MatterList = { version: 1, publishedOn: '2026-12-01', matters: STARTER_MATTERS };

putMattersInForce(STARTER_MATTER_LIST);
