/**
 * The starter list's matters for firms (法人事项), after the hiring subsidy carried end to end
 * (domain/matters-starter.ts): employment subsidies, science and technology awards, permits and
 * credit. 营业执照 is never asked for again (the business registry answers), nor a tax or
 * social insurance certificate; what stays `paper` is what only the firm or a third party can
 * produce (an audit, a safety assessment, a loan contract).
 */
import type { Matter } from './matters.js';
import {
  businessLicence,
  cancelled,
  contactPerson,
  contactPhone,
  creditReport,
  DEPARTMENTS as D,
  filled,
  ISSUERS,
  PAPER,
  pledge,
  premiumsProof,
  proof,
  sharing,
  typed,
  verification,
} from './matters-starter-kit.js';

const established = () => filled('established-on', '成立日期', 'Date of establishment', 'enterprise.establishedOn');
const size = () => filled('size', '企业规模', 'Size of the firm', 'enterprise.size');
const industry = () => filled('industry', '所属行业', 'Industry', 'enterprise.industry');
const employees = () => filled('employees', '职工人数', 'Employees', 'enterprise.employeeCount');
const taxCertificate = () =>
  proof(
    'tax-certificate',
    { zh: '完税证明', en: 'tax payment certificate' },
    { zh: '税务机关', en: 'tax office' },
    sharing('enterprise.taxPaidLastYear'),
  );
const safetyPledge = () =>
  proof(
    'compliance-statement',
    { zh: '安全生产及合规经营承诺书', en: 'statement of safe and lawful operation' },
    ISSUERS.firm,
    pledge(
      '本单位承诺已建立安全管理制度并落实主体责任，所报材料真实，如有不实，愿承担撤销许可等法律责任。',
      'We pledge that our safety management is in place and everything we state is true; if not, we accept the permit being withdrawn and other legal consequences.',
    ),
  );

export const ENTERPRISE_MATTERS: readonly Matter[] = [
  {
    id: 'job-stabilisation-refund',
    subject: 'enterprise',
    title: { zh: '失业保险稳岗返还', en: 'Unemployment insurance refund for keeping jobs' },
    department: D.humanResources,
    legalBasis: {
      zh: '《失业保险条例》第十条；《人力资源社会保障部 财政部关于失业保险支持企业稳定就业岗位有关问题的通知》',
      en: 'Unemployment Insurance Regulations, art. 10; MOHRSS–MOF notice on unemployment insurance support for keeping jobs',
    },
    level: 'city',
    timeLimitWorkingDays: 10,
    fields: [
      size(),
      filled(
        'premiums',
        '上年缴纳失业保险费（元）',
        'Unemployment premiums paid last year (yuan)',
        'enterprise.unemploymentPremiumsLastYear',
      ),
      filled('layoff-rate', '上年裁员率（%）', 'Layoff rate last year (%)', 'enterprise.layoffRate'),
      contactPerson(),
      contactPhone(),
    ],
    proofs: [
      businessLicence(),
      premiumsProof(),
      proof(
        'layoff-statement',
        { zh: '不裁员或少裁员情况说明', en: 'statement of no or few layoffs' },
        ISSUERS.firm,
        sharing('enterprise.layoffRate', 'enterprise.insuredEmployeesLastYear'),
      ),
      creditReport(),
    ],
    claims: ['enterprise-in-operation', 'no-social-insurance-arrears', 'no-serious-dishonesty'],
  },
  {
    id: 'high-tech-enterprise-award',
    subject: 'enterprise',
    title: { zh: '高新技术企业认定奖励', en: 'Award for certified high-tech enterprises' },
    department: D.scienceTechnology,
    legalBasis: {
      zh: '《高新技术企业认定管理办法》（国科发火〔2016〕32号）；《德州市支持科技创新若干政策》',
      en: 'Measures on High-Tech Enterprise Certification (Guo Ke Fa Huo [2016] No. 32); Dezhou policies in support of innovation',
    },
    level: 'city',
    timeLimitWorkingDays: 20,
    fields: [
      filled('certified-on', '高企证书发证日期', 'High-tech certificate issued on', 'enterprise.highTechCertifiedOn'),
      industry(),
      contactPerson(),
      contactPhone(),
    ],
    proofs: [
      proof(
        'high-tech-certificate',
        { zh: '高新技术企业证书', en: 'high-tech enterprise certificate' },
        { zh: '科技部门', en: 'science and technology bureau' },
        verification('high-tech-certified'),
      ),
      businessLicence(),
      taxCertificate(),
    ],
    claims: ['high-tech-certified', 'enterprise-in-operation'],
  },
  {
    id: 'rd-expense-subsidy',
    subject: 'enterprise',
    title: { zh: '企业研发费用后补助', en: 'Subsidy on a firm’s research spending' },
    department: D.scienceTechnology,
    legalBasis: {
      zh: '《山东省企业研究开发财政补助资金管理办法》',
      en: 'Shandong Measures on Financial Subsidies for Enterprise R&D',
    },
    level: 'city',
    timeLimitWorkingDays: 30,
    fields: [
      filled('rd-expense', '上年研发费用（元）', 'R&D spending last year (yuan)', 'enterprise.rdExpenseLastYear'),
      filled('revenue', '上年营业收入（元）', 'Revenue last year (yuan)', 'enterprise.annualRevenue'),
      contactPerson(),
      contactPhone(),
    ],
    proofs: [
      proof(
        'rd-deduction-return',
        { zh: '研发费用加计扣除申报表', en: 'return of the R&D super-deduction' },
        { zh: '税务机关', en: 'tax office' },
        sharing('enterprise.rdExpenseLastYear'),
      ),
      proof(
        'tax-credit-proof',
        { zh: '纳税信用等级证明', en: 'proof of tax credit rating' },
        { zh: '税务机关', en: 'tax office' },
        verification('tax-credit-a-or-b'),
      ),
      proof(
        'rd-audit-report',
        { zh: '研发费用专项审计报告', en: 'special audit report on R&D spending' },
        { zh: '会计师事务所', en: 'accounting firm' },
        PAPER,
      ),
    ],
    claims: ['tax-credit-a-or-b'],
  },
  {
    id: 'graduate-hiring-insurance-subsidy',
    subject: 'enterprise',
    title: {
      zh: '小微企业吸纳高校毕业生社会保险补贴',
      en: 'Social insurance subsidy for small firms hiring graduates',
    },
    department: D.humanResources,
    legalBasis: {
      zh: '《就业补助资金管理办法》（财社〔2017〕164号）第五条',
      en: 'Measures on Employment Subsidy Funds (Cai She [2017] No. 164), art. 5',
    },
    level: 'city',
    timeLimitWorkingDays: 15,
    fields: [
      size(),
      filled(
        'graduates-hired',
        '上年吸纳高校毕业生人数',
        'Graduates hired last year',
        'enterprise.graduatesHiredLastYear',
      ),
      contactPerson(),
      contactPhone(),
    ],
    proofs: [
      proof(
        'size-statement',
        { zh: '小微企业划型证明', en: 'proof of being a small or micro firm' },
        { zh: '工业和信息化部门', en: 'industry and IT bureau' },
        sharing('enterprise.size', 'enterprise.employeeCount'),
      ),
      premiumsProof(),
      proof(
        'graduate-diplomas',
        { zh: '新招用毕业生的毕业证书及劳动合同', en: 'diplomas and contracts of the graduates hired' },
        ISSUERS.firm,
        sharing('enterprise.graduatesHiredLastYear'),
      ),
    ],
    claims: ['no-social-insurance-arrears', 'enterprise-in-operation'],
  },
  {
    id: 'business-start-loan-interest',
    subject: 'enterprise',
    title: { zh: '创业担保贷款贴息申请', en: 'Interest subsidy on a guaranteed business-start loan' },
    department: D.humanResources,
    legalBasis: {
      zh: '《普惠金融发展专项资金管理办法》（财金〔2019〕96号）；《关于进一步做好创业担保贷款财政贴息工作的通知》（财金〔2020〕21号）',
      en: 'Measures on Inclusive Finance Funds (Cai Jin [2019] No. 96); notice on interest subsidies for guaranteed business-start loans (Cai Jin [2020] No. 21)',
    },
    level: 'city',
    timeLimitWorkingDays: 15,
    fields: [
      established(),
      employees(),
      typed('loan-amount', '贷款金额（元）', 'Loan amount (yuan)', 'number'),
      contactPhone(),
    ],
    proofs: [
      businessLicence(),
      creditReport(),
      proof(
        'loan-contract',
        { zh: '借款合同及付息凭证', en: 'loan contract and interest receipts' },
        { zh: '经办银行', en: 'the lending bank' },
        PAPER,
      ),
    ],
    claims: ['enterprise-in-operation', 'no-serious-dishonesty'],
  },
  {
    id: 'hazardous-chemicals-licence',
    subject: 'enterprise',
    title: { zh: '危险化学品经营许可证核发', en: 'Licence to trade hazardous chemicals' },
    department: D.emergency,
    legalBasis: {
      zh: '《危险化学品安全管理条例》第三十三条至第三十五条；《危险化学品经营许可证管理办法》',
      en: 'Regulations on the Safe Management of Hazardous Chemicals, arts. 33–35; Measures on Hazardous Chemicals Trading Licences',
    },
    level: 'county',
    timeLimitWorkingDays: 20,
    fields: [industry(), employees(), typed('storage-address', '储存场所地址', 'Storage address'), contactPerson()],
    proofs: [
      businessLicence(),
      proof(
        'safety-record',
        { zh: '无较大生产安全事故证明', en: 'proof of no major work-safety accident' },
        { zh: '应急管理部门', en: 'emergency management bureau' },
        verification('no-major-safety-accident'),
      ),
      safetyPledge(),
      proof(
        'safety-assessment',
        { zh: '安全评价报告', en: 'safety assessment report' },
        { zh: '安全评价机构', en: 'safety assessment agency' },
        PAPER,
      ),
    ],
    claims: ['no-major-safety-accident', 'enterprise-in-operation'],
  },
  {
    id: 'pollutant-discharge-permit',
    subject: 'enterprise',
    title: { zh: '排污许可证核发（简化管理）', en: 'Pollutant discharge permit (simplified)' },
    department: D.ecology,
    legalBasis: {
      zh: '《排污许可管理条例》第八条、第十三条',
      en: 'Regulations on Pollutant Discharge Permits, arts. 8 and 13',
    },
    level: 'city',
    timeLimitWorkingDays: 20,
    fields: [
      industry(),
      typed('outlets', '排放口数量', 'Discharge outlets', 'number'),
      contactPerson(),
      contactPhone(),
    ],
    proofs: [
      businessLicence(),
      proof(
        'environmental-record',
        { zh: '无环境违法行为证明', en: 'proof of no environmental violation' },
        { zh: '生态环境部门', en: 'ecology and environment bureau' },
        verification('no-serious-environmental-violation'),
      ),
      proof(
        'eia-approval',
        { zh: '环境影响评价文件批复', en: 'approval of the environmental impact assessment' },
        { zh: '生态环境部门', en: 'ecology and environment bureau' },
        PAPER,
      ),
    ],
    claims: ['no-serious-environmental-violation', 'enterprise-in-operation'],
  },
  {
    id: 'credit-repair',
    subject: 'enterprise',
    title: { zh: '失信信息信用修复', en: 'Repairing a credit record' },
    department: D.developmentReform,
    legalBasis: {
      zh: '《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令第58号）',
      en: 'Measures on Repairing Credit Information after Dishonesty Is Corrected (NDRC Order No. 58)',
    },
    level: 'city',
    timeLimitWorkingDays: 5,
    fields: [
      established(),
      typed('decision-number', '行政处罚决定书文号', 'Number of the penalty decision'),
      contactPerson(),
    ],
    proofs: [
      businessLicence(),
      proof(
        'penalty-performed',
        { zh: '行政处罚履行完毕证明', en: 'proof that the penalty was carried out' },
        { zh: '作出处罚的部门', en: 'the department that imposed the penalty' },
        pledge(
          '本单位承诺已履行行政处罚决定规定的义务，纠正了失信行为，如有不实，愿撤销修复并承担责任。',
          'We pledge that we have done what the penalty decision required and corrected the conduct; if not, the repair is withdrawn and we accept the consequences.',
        ),
      ),
      proof(
        'credit-commitment',
        { zh: '信用修复承诺书（公证）', en: 'notarised credit repair commitment' },
        ISSUERS.firm,
        cancelled(
          '《失信行为纠正后的信用信息修复管理办法（试行）》：承诺书在线签署，不再公证',
          'NDRC Order No. 58: the commitment is signed online, without notarisation',
        ),
      ),
    ],
    claims: ['no-serious-dishonesty', 'enterprise-in-operation'],
  },
  {
    id: 'food-business-licence',
    subject: 'enterprise',
    title: { zh: '食品经营许可证核发', en: 'Food business licence' },
    department: D.marketSupervision,
    legalBasis: {
      zh: '《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》第二十一条',
      en: 'Food Safety Law, art. 35; Measures on Food Business Licensing and Filing, art. 21',
    },
    level: 'county',
    timeLimitWorkingDays: 10,
    fields: [
      established(),
      typed('premises', '经营场所', 'Premises'),
      typed('categories', '经营项目', 'What is sold'),
      contactPhone(),
    ],
    proofs: [
      businessLicence(),
      proof(
        'food-safety-rules',
        { zh: '食品安全管理制度文本', en: 'food safety management rules' },
        ISSUERS.firm,
        pledge(
          '本单位承诺已建立并执行食品安全管理制度，配备食品安全管理人员，如有不实，愿承担撤销许可等责任。',
          'We pledge that our food safety rules are in place and followed, with a food safety manager; if not, we accept the licence being withdrawn.',
        ),
      ),
      proof(
        'staff-health-certificates',
        { zh: '从业人员健康证明', en: 'staff health certificates' },
        ISSUERS.hospital,
        PAPER,
      ),
    ],
    claims: ['enterprise-in-operation'],
  },
  {
    id: 'disability-fund-exemption',
    subject: 'enterprise',
    title: { zh: '残疾人就业保障金减免', en: 'Reduction of the disability employment levy' },
    department: D.taxation,
    legalBasis: {
      zh: '《残疾人就业保障金征收使用管理办法》（财税〔2015〕72号）；《财政部关于调整残疾人就业保障金征收政策的公告》（2019年第98号）',
      en: 'Measures on the Disability Employment Levy (Cai Shui [2015] No. 72); MOF announcement 2019 No. 98',
    },
    level: 'city',
    timeLimitWorkingDays: 10,
    fields: [
      employees(),
      size(),
      typed('disabled-employees', '安排残疾人就业人数', 'Disabled people employed', 'number'),
    ],
    proofs: [
      proof(
        'employee-roster',
        { zh: '在职职工人数证明', en: 'proof of the number of employees' },
        ISSUERS.socialInsurance,
        sharing('enterprise.employeeCount', 'enterprise.insuredEmployeesLastYear'),
      ),
      proof(
        'disabled-staff-cards',
        { zh: '所安排残疾职工的残疾人证', en: 'disability certificates of the disabled staff' },
        ISSUERS.disabledPersons,
        pledge(
          '本单位承诺所报安排残疾人就业情况真实，相关残疾职工持有有效残疾人证，如有不实，愿补缴保障金。',
          'We pledge that the disabled staff we report are employed by us and hold valid certificates; if not, we will pay the levy due.',
        ),
      ),
    ],
    claims: ['enterprise-in-operation'],
  },
];
