/**
 * The starter list's matters for people (个人事项), after the two carried end to end
 * (domain/matters-starter.ts): social assistance, disability, marriage and birth, schooling,
 * employment and social insurance, care of the old, veterans, housing. Each names the proofs
 * Dezhou's windows used to ask for and how each is obtained now; a proof stays `paper` only where
 * nothing in the city's shared data, certificates or verifications can stand in for it yet.
 */
import type { Matter } from './matters.js';
import {
  assistanceCertificate,
  cancelled,
  certificate,
  contactPhone,
  DEPARTMENTS as D,
  disabilityCard,
  filled,
  householdRegister,
  incomeProof,
  ISSUERS,
  marriageCertificate,
  PAPER,
  pledge,
  proof,
  sharing,
  typed,
  verification,
} from './matters-starter-kit.js';

const birthDate = () => filled('birth-date', '出生日期', 'Date of birth', 'person.birthDate');
const district = () => filled('district', '户籍所在区县', 'District of hukou', 'person.district');
const maritalStatus = () => filled('marital-status', '婚姻状况', 'Marital status', 'person.maritalStatus');
const bankAccount = () =>
  filled('bank-account', '社会保障卡银行账户', 'Bank account of the social security card', 'person.bankAccountNumber');
const idCardInPerson = () =>
  proof(
    'identity-card',
    { zh: '居民身份证（本人到场出示）', en: 'resident identity card (shown in person)' },
    ISSUERS.publicSecurity,
    PAPER,
  );

const lowIncome = { zh: '《社会救助暂行办法》', en: 'Interim Measures on Social Assistance' };
const hardshipStatement = () =>
  proof(
    'hardship-statement',
    { zh: '家庭困难情况证明（村居委会出具）', en: 'statement of hardship (from the neighbourhood committee)' },
    ISSUERS.committee,
    cancelled(
      '《民政部关于改进社会救助家庭经济状况核对工作的通知》：以信息核对和入户调查代替村居证明',
      'Ministry of Civil Affairs notice on household means checks: records checks and home visits replace committee statements',
    ),
  );
const propertyProof = () =>
  proof(
    'property-proof',
    { zh: '房产、车辆情况证明', en: 'proof of property and vehicles' },
    ISSUERS.realEstate,
    sharing('person.ownsHousing', 'person.housingUnitsOwned', 'person.ownsMotorVehicle'),
  );

export const PERSONAL_MATTERS: readonly Matter[] = [
  {
    id: 'minimum-living-allowance',
    subject: 'person',
    title: { zh: '最低生活保障申请', en: 'Minimum living allowance (dibao)' },
    department: D.civilAffairs,
    legalBasis: {
      zh: `${lowIncome.zh}第十一条；《山东省最低生活保障办法》`,
      en: `${lowIncome.en}, art. 11; Shandong Minimum Living Allowance Measures`,
    },
    level: 'county',
    timeLimitWorkingDays: 30,
    fields: [
      district(),
      maritalStatus(),
      filled(
        'income-per-capita',
        '家庭人均月收入（元）',
        'Household income per head (yuan a month)',
        'person.householdIncomePerCapita',
      ),
      typed('household-size', '共同生活家庭成员人数', 'People living together', 'number'),
      contactPhone(),
    ],
    proofs: [
      householdRegister('person.localHukou', 'person.district'),
      marriageCertificate(),
      incomeProof(),
      propertyProof(),
      hardshipStatement(),
      disabilityCard(),
    ],
    claims: ['local-hukou', 'receives-social-assistance', 'owns-no-housing', 'disability-certified'],
  },
  {
    id: 'special-hardship-support',
    subject: 'person',
    title: { zh: '特困人员救助供养认定', en: 'Special-hardship support' },
    department: D.civilAffairs,
    legalBasis: {
      zh: `${lowIncome.zh}第十四条；《特困人员认定办法》（民发〔2021〕43号）`,
      en: `${lowIncome.en}, art. 14; Measures for Recognising Persons in Special Hardship (Min Fa [2021] No. 43)`,
    },
    level: 'county',
    timeLimitWorkingDays: 20,
    fields: [birthDate(), district(), maritalStatus(), contactPhone()],
    proofs: [
      householdRegister('person.localHukou', 'person.birthDate'),
      disabilityCard(),
      propertyProof(),
      proof(
        'no-supporter-proof',
        { zh: '无法定赡养、抚养、扶养义务人证明', en: 'proof of having no one legally bound to support' },
        ISSUERS.committee,
        pledge(
          '本人承诺无法定赡养、抚养、扶养义务人，或其无履行义务能力，如有不实，愿承担相应责任。',
          'I pledge that no one is legally bound to support me, or that those who are cannot; if not, I accept the consequences.',
        ),
      ),
    ],
    claims: ['local-hukou', 'receives-social-assistance', 'disability-certified'],
  },
  {
    id: 'temporary-assistance',
    subject: 'person',
    title: { zh: '临时救助申请', en: 'Temporary assistance' },
    department: D.civilAffairs,
    legalBasis: {
      zh: `${lowIncome.zh}第四十七条至第五十条；《山东省临时救助办法》`,
      en: `${lowIncome.en}, arts. 47–50; Shandong Temporary Assistance Measures`,
    },
    level: 'township',
    timeLimitWorkingDays: 10,
    fields: [district(), typed('emergency', '遭遇的困难', 'What happened', 'text'), contactPhone()],
    proofs: [
      householdRegister('person.localHukou', 'person.district'),
      hardshipStatement(),
      proof(
        'expense-receipts',
        { zh: '医疗、事故等支出票据', en: 'receipts of the medical or accident expenses' },
        ISSUERS.hospital,
        PAPER,
      ),
    ],
    claims: ['local-hukou', 'receives-social-assistance'],
  },
  {
    id: 'disability-living-subsidy',
    subject: 'person',
    title: { zh: '困难残疾人生活补贴申请', en: 'Living subsidy for disabled people in hardship' },
    department: D.civilAffairs,
    legalBasis: {
      zh: '《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）',
      en: 'State Council opinions on living and care subsidies for disabled people (Guo Fa [2015] No. 52)',
    },
    level: 'county',
    timeLimitWorkingDays: 20,
    fields: [
      district(),
      filled('disability-grade', '残疾等级', 'Disability grade', 'person.disabilityGrade'),
      filled('disability-type', '残疾类别', 'Kind of disability', 'person.disabilityType'),
      bankAccount(),
    ],
    proofs: [
      householdRegister('person.localHukou'),
      proof(
        'disability-card',
        { zh: '残疾人证', en: 'disability certificate' },
        ISSUERS.disabledPersons,
        sharing('person.disabilityCertified', 'person.disabilityGrade'),
      ),
      assistanceCertificate(),
    ],
    claims: ['local-hukou', 'disability-certified', 'receives-social-assistance'],
  },
  {
    id: 'severe-disability-care-subsidy',
    subject: 'person',
    title: { zh: '重度残疾人护理补贴申请', en: 'Care subsidy for severely disabled people' },
    department: D.civilAffairs,
    legalBasis: {
      zh: '《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）',
      en: 'State Council opinions on living and care subsidies for disabled people (Guo Fa [2015] No. 52)',
    },
    level: 'county',
    timeLimitWorkingDays: 20,
    fields: [
      district(),
      filled('disability-grade', '残疾等级', 'Disability grade', 'person.disabilityGrade'),
      bankAccount(),
    ],
    proofs: [householdRegister('person.localHukou'), disabilityCard('disability-grade-2-or-above')],
    claims: ['local-hukou', 'disability-grade-2-or-above'],
  },
  {
    id: 'marriage-registration',
    subject: 'person',
    title: { zh: '结婚登记', en: 'Marriage registration' },
    department: D.civilAffairs,
    legalBasis: { zh: '《婚姻登记条例》第四条至第七条', en: 'Marriage Registration Regulations, arts. 4–7' },
    level: 'county',
    timeLimitWorkingDays: 1,
    fields: [birthDate(), maritalStatus(), typed('spouse-name', '对方姓名', 'Spouse’s name')],
    proofs: [
      proof(
        'household-register',
        { zh: '户口簿', en: 'household register (hukou booklet)' },
        ISSUERS.publicSecurity,
        cancelled(
          '《国务院关于同意在全国范围内实施内地居民婚姻登记“跨省通办”的批复》：凭身份证即可办理，不再提交户口簿',
          'State Council reply extending inter-provincial marriage registration nationwide: the identity card suffices, no hukou booklet',
        ),
      ),
      proof(
        'unmarried-statement',
        { zh: '无配偶证明（单位或村居出具）', en: 'statement of being unmarried (from employer or committee)' },
        ISSUERS.committee,
        pledge(
          '本人声明没有配偶，与对方当事人没有直系血亲和三代以内旁系血亲关系。',
          'I declare that I have no spouse and am not related to the other party by direct blood or collateral blood within three generations.',
        ),
      ),
      idCardInPerson(),
    ],
    claims: ['local-hukou'],
  },
  {
    id: 'birth-registration',
    subject: 'person',
    title: { zh: '新生儿出生登记（落户）', en: 'Registering a newborn’s hukou' },
    department: D.publicSecurity,
    legalBasis: {
      zh: '《中华人民共和国户口登记条例》第七条',
      en: 'Household Registration Regulations of the PRC, art. 7',
    },
    level: 'township',
    timeLimitWorkingDays: 5,
    fields: [
      district(),
      maritalStatus(),
      typed('child-name', '新生儿姓名', 'Newborn’s name'),
      typed('child-birth-date', '新生儿出生日期', 'Newborn’s date of birth', 'date'),
    ],
    proofs: [
      householdRegister('person.localHukou', 'person.district'),
      marriageCertificate(),
      proof(
        'birth-medical-certificate',
        { zh: '出生医学证明', en: 'medical certificate of birth' },
        { zh: '助产医疗机构', en: 'the maternity hospital' },
        PAPER,
      ),
    ],
    claims: ['local-hukou'],
  },
  {
    id: 'maternity-allowance',
    subject: 'person',
    title: { zh: '生育津贴申领', en: 'Maternity allowance' },
    department: D.medicalSecurity,
    legalBasis: {
      zh: '《中华人民共和国社会保险法》第五十四条、第五十六条；《山东省职工生育保险规定》',
      en: 'Social Insurance Law, arts. 54 and 56; Shandong Employee Maternity Insurance Regulations',
    },
    level: 'city',
    timeLimitWorkingDays: 15,
    fields: [
      filled('children-count', '子女数', 'Children', 'person.childrenCount'),
      filled('insured-months', '医保缴费月数', 'Months of medical insurance', 'person.medicalInsuranceMonths'),
      bankAccount(),
    ],
    proofs: [
      proof(
        'maternity-service-form',
        { zh: '生育服务登记单', en: 'maternity service registration form' },
        { zh: '卫生健康部门', en: 'health commission' },
        sharing('person.pregnancyRegistered', 'person.childrenCount'),
      ),
      proof(
        'insurance-proof',
        { zh: '生育保险参保缴费证明', en: 'proof of maternity insurance contributions' },
        ISSUERS.socialInsurance,
        sharing('person.medicalInsuranceEnrolled', 'person.medicalInsuranceMonths'),
      ),
      marriageCertificate(),
    ],
    claims: [],
  },
  {
    id: 'school-enrollment',
    subject: 'person',
    title: { zh: '义务教育阶段入学报名', en: 'Enrolling a child in compulsory schooling' },
    department: D.education,
    legalBasis: {
      zh: '《中华人民共和国义务教育法》第十二条；《德州市义务教育招生入学工作意见》',
      en: 'Compulsory Education Law, art. 12; Dezhou opinions on compulsory-school admissions',
    },
    level: 'county',
    timeLimitWorkingDays: 20,
    fields: [
      district(),
      typed('child-name', '儿童姓名', 'Child’s name'),
      typed('school', '报名学校', 'School applied to'),
    ],
    proofs: [
      householdRegister('person.localHukou', 'person.district'),
      proof(
        'property-certificate',
        { zh: '房产证或购房合同', en: 'title deed or purchase contract' },
        ISSUERS.realEstate,
        verification('owns-housing'),
      ),
      proof(
        'vaccination-card',
        { zh: '预防接种证', en: 'vaccination record' },
        { zh: '接种单位', en: 'vaccination clinic' },
        PAPER,
      ),
    ],
    claims: ['local-hukou', 'owns-housing'],
  },
  {
    id: 'unemployment-insurance-benefit',
    subject: 'person',
    title: { zh: '失业保险金申领', en: 'Unemployment insurance benefit' },
    department: D.humanResources,
    legalBasis: {
      zh: '《失业保险条例》第十四条、第十六条；《中华人民共和国社会保险法》第四十五条',
      en: 'Unemployment Insurance Regulations, arts. 14 and 16; Social Insurance Law, art. 45',
    },
    level: 'city',
    timeLimitWorkingDays: 10,
    fields: [
      filled(
        'insured-months',
        '失业保险缴费月数',
        'Months of unemployment insurance',
        'person.unemploymentInsuranceMonths',
      ),
      filled('employment-ended-on', '劳动关系终止日期', 'Employment ended on', 'person.employmentEndedOn'),
      bankAccount(),
    ],
    proofs: [
      proof(
        'termination-proof',
        { zh: '解除或终止劳动合同证明', en: 'proof of the end of the labour contract' },
        ISSUERS.employer,
        sharing('person.employmentEndedOn', 'person.involuntaryUnemployment'),
      ),
      proof(
        'unemployment-registration-proof',
        { zh: '失业登记证明', en: 'proof of unemployment registration' },
        { zh: '公共就业服务机构', en: 'public employment service' },
        verification('unemployment-registered'),
      ),
    ],
    claims: ['unemployment-registered'],
  },
  {
    id: 'unemployment-registration',
    subject: 'person',
    title: { zh: '失业登记', en: 'Registering as unemployed' },
    department: D.humanResources,
    legalBasis: {
      zh: '《就业服务与就业管理规定》第六十一条至第六十三条',
      en: 'Provisions on Employment Services and Management, arts. 61–63',
    },
    level: 'township',
    timeLimitWorkingDays: 1,
    fields: [
      district(),
      filled('employment-status', '就业状态', 'Employment status', 'person.employmentStatus'),
      typed('wanted-job', '求职意向', 'Work sought', 'text', false),
      contactPhone(),
    ],
    proofs: [
      householdRegister('person.localHukou', 'person.district'),
      proof(
        'termination-proof',
        { zh: '解除或终止劳动合同证明', en: 'proof of the end of the labour contract' },
        ISSUERS.employer,
        sharing('person.employmentEndedOn'),
      ),
    ],
    claims: ['local-hukou', 'unemployment-registered'],
  },
  {
    id: 'flexible-employment-insurance-subsidy',
    subject: 'person',
    title: { zh: '灵活就业人员社会保险补贴申请', en: 'Social insurance subsidy for flexible workers' },
    department: D.humanResources,
    legalBasis: {
      zh: '《就业补助资金管理办法》（财社〔2017〕164号）第七条',
      en: 'Measures on Employment Subsidy Funds (Cai She [2017] No. 164), art. 7',
    },
    level: 'county',
    timeLimitWorkingDays: 15,
    fields: [
      filled(
        'contribution-months',
        '养老保险缴费月数',
        'Months of pension contributions',
        'person.pensionContributionMonths',
      ),
      bankAccount(),
      typed('work', '从事的灵活就业形式', 'Kind of flexible work'),
    ],
    proofs: [
      proof(
        'hard-to-employ-proof',
        { zh: '就业困难人员认定证明', en: 'recognition as hard to employ' },
        { zh: '公共就业服务机构', en: 'public employment service' },
        verification('unemployment-registered'),
      ),
      proof(
        'contribution-receipts',
        { zh: '社会保险缴费凭证', en: 'receipts of social insurance contributions' },
        ISSUERS.socialInsurance,
        verification('pension-contributions-12-months'),
      ),
      proof(
        'flexible-work-proof',
        { zh: '灵活就业情况证明（社区出具）', en: 'statement of flexible work (from the community)' },
        ISSUERS.committee,
        pledge(
          '本人承诺从事灵活就业属实，未与任何单位建立劳动关系，如有不实，愿退回补贴。',
          'I pledge that I work flexibly and am employed by no one; if not, I will repay the subsidy.',
        ),
      ),
    ],
    claims: ['unemployment-registered', 'pension-contributions-12-months'],
  },
  {
    id: 'graduate-job-search-subsidy',
    subject: 'person',
    title: { zh: '高校毕业生一次性求职创业补贴', en: 'Job-search grant for graduates' },
    department: D.humanResources,
    legalBasis: {
      zh: '《就业补助资金管理办法》（财社〔2017〕164号）第六条',
      en: 'Measures on Employment Subsidy Funds (Cai She [2017] No. 164), art. 6',
    },
    level: 'city',
    timeLimitWorkingDays: 15,
    fields: [
      filled('degree', '最高学历', 'Highest degree', 'person.highestDegree'),
      filled('graduated-on', '毕业日期', 'Graduated on', 'person.collegeGraduatedOn'),
      bankAccount(),
    ],
    proofs: [
      proof(
        'diploma',
        { zh: '毕业证书', en: 'graduation diploma' },
        { zh: '高等学校', en: 'the university' },
        sharing('person.collegeGraduatedOn', 'person.highestDegree'),
      ),
      assistanceCertificate(),
      disabilityCard(),
    ],
    claims: ['receives-social-assistance', 'disability-certified'],
  },
  {
    id: 'resident-pension-claim',
    subject: 'person',
    title: { zh: '城乡居民基本养老保险待遇申领', en: 'Claiming the urban and rural resident pension' },
    department: D.humanResources,
    legalBasis: {
      zh: '《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）',
      en: 'State Council opinions on a unified resident pension scheme (Guo Fa [2014] No. 8)',
    },
    level: 'county',
    timeLimitWorkingDays: 15,
    fields: [
      birthDate(),
      filled('contribution-months', '累计缴费月数', 'Months of contributions', 'person.pensionContributionMonths'),
      bankAccount(),
    ],
    proofs: [
      householdRegister('person.birthDate', 'person.localHukou'),
      proof(
        'contribution-record',
        { zh: '养老保险缴费记录', en: 'record of pension contributions' },
        ISSUERS.socialInsurance,
        sharing('person.pensionContributionMonths', 'person.pensionScheme'),
      ),
      proof(
        'photo',
        { zh: '近期一寸免冠照片', en: 'recent passport photo' },
        { zh: '申请人', en: 'the applicant' },
        cancelled(
          '《山东省人力资源和社会保障厅关于进一步精简社会保险经办证明材料的通知》：照片从社会保障卡信息中调取',
          'Shandong HRSS notice on fewer social insurance proofs: the photo is taken from the social security card record',
        ),
      ),
    ],
    claims: ['local-hukou', 'pension-contributions-12-months', 'alive'],
  },
  {
    id: 'medical-assistance',
    subject: 'person',
    title: { zh: '医疗救助申请', en: 'Medical assistance' },
    department: D.medicalSecurity,
    legalBasis: {
      zh: `${lowIncome.zh}第二十八条至第三十二条；《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》（国办发〔2021〕42号）`,
      en: `${lowIncome.en}, arts. 28–32; State Council General Office opinions on major-illness insurance and assistance (Guo Ban Fa [2021] No. 42)`,
    },
    level: 'county',
    timeLimitWorkingDays: 15,
    fields: [
      filled('scheme', '医保类别', 'Medical insurance scheme', 'person.medicalInsuranceScheme'),
      filled(
        'out-of-pocket',
        '上年自付医疗费用（元）',
        'Out-of-pocket costs last year (yuan)',
        'person.outOfPocketMedicalLastYear',
      ),
      bankAccount(),
    ],
    proofs: [
      assistanceCertificate(),
      proof(
        'disability-subsidy-certificate',
        { zh: '困难残疾人身份证明', en: 'proof of being a disabled person in hardship' },
        ISSUERS.civilAffairs,
        certificate('disability-subsidy-certificate'),
      ),
      proof(
        'medical-receipts',
        { zh: '医疗费用票据及结算单', en: 'medical receipts and settlement statements' },
        ISSUERS.hospital,
        sharing('person.outOfPocketMedicalLastYear'),
      ),
      proof(
        'discharge-summary',
        { zh: '出院小结或诊断证明', en: 'discharge summary or diagnosis' },
        ISSUERS.hospital,
        PAPER,
      ),
    ],
    claims: ['receives-social-assistance'],
  },
  {
    id: 'veteran-preferential-subsidy',
    subject: 'person',
    title: { zh: '优抚对象定期抚恤补助申请', en: 'Periodic subsidy for entitled veterans and families' },
    department: D.veterans,
    legalBasis: {
      zh: '《军人抚恤优待条例》第三十五条',
      en: 'Regulations on Pensions and Preferential Treatment for Servicemen, art. 35',
    },
    level: 'county',
    timeLimitWorkingDays: 20,
    fields: [filled('category', '优抚对象类别', 'Category', 'person.entitledCategory'), district(), bankAccount()],
    proofs: [
      proof(
        'discharge-certificate',
        { zh: '退役证或退伍证', en: 'discharge certificate' },
        { zh: '部队或退役军人事务部门', en: 'the army or veterans affairs' },
        verification('is-veteran'),
      ),
      householdRegister('person.localHukou', 'person.district'),
      proof(
        'entitlement-proof',
        { zh: '优抚对象身份证明', en: 'proof of entitled status' },
        { zh: '退役军人事务部门', en: 'veterans affairs bureau' },
        sharing('person.entitledGroup', 'person.entitledCategory'),
      ),
    ],
    claims: ['is-veteran', 'local-hukou'],
  },
  {
    id: 'senior-card-application',
    subject: 'person',
    title: { zh: '老年人优待证办理', en: 'Senior preferential card' },
    department: D.health,
    legalBasis: {
      zh: '《山东省老年人优待办法》第四条',
      en: 'Shandong Measures on Preferential Treatment of Older People, art. 4',
    },
    level: 'county',
    timeLimitWorkingDays: 5,
    fields: [birthDate(), district(), contactPhone()],
    proofs: [
      householdRegister('person.birthDate', 'person.localHukou'),
      proof(
        'photo',
        { zh: '近期一寸免冠照片', en: 'recent passport photo' },
        { zh: '申请人', en: 'the applicant' },
        cancelled(
          '《德州市证明事项告知承诺制实施方案》：照片从身份证信息中调取，不再提交',
          'Dezhou plan on the pledge system for proofs: the photo is taken from the identity card record',
        ),
      ),
    ],
    claims: ['local-hukou'],
  },
  {
    id: 'housing-fund-rent-withdrawal',
    subject: 'person',
    title: { zh: '住房公积金提取（租住住房）', en: 'Withdrawing the housing provident fund to pay rent' },
    department: D.housingFund,
    legalBasis: {
      zh: '《住房公积金管理条例》第二十四条、第二十八条',
      en: 'Housing Provident Fund Regulations, arts. 24 and 28',
    },
    level: 'city',
    timeLimitWorkingDays: 3,
    fields: [
      filled('monthly-deposit', '月缴存额（元）', 'Monthly deposit (yuan)', 'person.housingFundMonthlyDeposit'),
      maritalStatus(),
      typed('rent', '月租金（元）', 'Monthly rent (yuan)', 'number'),
      bankAccount(),
    ],
    proofs: [
      proof(
        'no-housing-proof',
        { zh: '无房证明', en: 'proof of owning no dwelling' },
        ISSUERS.realEstate,
        verification('owns-no-housing'),
      ),
      proof(
        'tenancy-contract',
        { zh: '房屋租赁合同及租金发票', en: 'tenancy contract and rent invoices' },
        { zh: '出租人', en: 'the landlord' },
        pledge(
          '本人承诺在本市租房自住且无自有住房，所报租金真实，如有不实，愿退回提取金额并接受处理。',
          'I pledge that I rent my home in the city and own none, and that the rent is as stated; if not, I will pay back what I withdrew.',
        ),
      ),
      marriageCertificate(),
    ],
    claims: ['owns-no-housing'],
  },
  {
    id: 'disability-certificate-issuance',
    subject: 'person',
    title: { zh: '残疾人证办理', en: 'Issuing a disability certificate' },
    department: D.disabledPersons,
    legalBasis: {
      zh: '《中华人民共和国残疾人证管理办法》第六条至第九条',
      en: 'Measures on Disability Certificates of the PRC, arts. 6–9',
    },
    level: 'county',
    timeLimitWorkingDays: 20,
    fields: [
      birthDate(),
      district(),
      typed('guardian-phone', '监护人或本人电话', 'Phone of the applicant or guardian'),
    ],
    proofs: [
      householdRegister('person.localHukou', 'person.birthDate'),
      proof(
        'disability-assessment',
        { zh: '残疾评定表（指定医疗机构评定）', en: 'disability assessment (by a designated hospital)' },
        ISSUERS.hospital,
        PAPER,
      ),
    ],
    claims: ['local-hukou', 'disability-certified'],
  },
  {
    id: 'old-age-allowance',
    subject: 'person',
    title: { zh: '高龄津贴申请', en: 'Allowance for people aged 80 and over' },
    department: D.civilAffairs,
    legalBasis: {
      zh: '《山东省老年人权益保障条例》第二十条；《德州市高龄津贴发放办法》',
      en: 'Shandong Regulations on the Rights of Older People, art. 20; Dezhou old-age allowance measures',
    },
    level: 'township',
    timeLimitWorkingDays: 15,
    fields: [birthDate(), district(), bankAccount()],
    proofs: [
      proof(
        'senior-card',
        { zh: '老年人优待证', en: 'senior preferential card' },
        { zh: '卫生健康部门（老龄办）', en: 'health commission (office on ageing)' },
        certificate('senior-preferential-card'),
      ),
      householdRegister('person.localHukou', 'person.birthDate'),
      proof(
        'survival-proof',
        { zh: '生存证明（每年认证）', en: 'proof of being alive (yearly)' },
        ISSUERS.committee,
        verification('alive'),
      ),
    ],
    claims: ['local-hukou', 'alive'],
  },
  {
    id: 'teacher-qualification',
    subject: 'person',
    title: { zh: '教师资格认定', en: 'Teacher qualification' },
    department: D.education,
    legalBasis: {
      zh: '《教师资格条例》第十三条至第十五条；《〈教师资格条例〉实施办法》',
      en: 'Teacher Qualification Regulations, arts. 13–15, and their implementing measures',
    },
    level: 'county',
    timeLimitWorkingDays: 30,
    fields: [
      filled('degree', '最高学历', 'Highest degree', 'person.highestDegree'),
      typed('subject', '任教学科', 'Subject to teach'),
      typed('stage', '资格种类', 'Kind of qualification'),
    ],
    proofs: [
      proof(
        'diploma',
        { zh: '学历证书', en: 'diploma' },
        { zh: '高等学校', en: 'the university' },
        sharing('person.highestDegree', 'person.collegeGraduatedOn'),
      ),
      proof(
        'no-criminal-record-proof',
        { zh: '无犯罪记录证明', en: 'certificate of no criminal record' },
        ISSUERS.publicSecurity,
        verification('no-criminal-record'),
      ),
      proof(
        'health-check',
        { zh: '教师资格体检表', en: 'teacher’s medical examination form' },
        ISSUERS.hospital,
        PAPER,
      ),
      householdRegister('person.localHukou'),
    ],
    claims: ['no-criminal-record'],
  },
];
