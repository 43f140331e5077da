/**
 * The data-source catalog (数据共享目录): every shared-data source the city platform offers,
 * its owning department, and the fields (facts) it answers. Policies may read only facts
 * listed here, and each must be declared in the policy's facts manifest with a purpose.
 * Fact keys are `<subject>.<field>`; `column` is the field's name in the source collection.
 */
export type SubjectKind = 'person' | 'enterprise';
export type FactType = 'date' | 'number' | 'boolean' | 'string';
/** public: may be shown as is; personal: shown to the subject and supervisors; sensitive: always masked in explanations. */
export type Sensitivity = 'public' | 'personal' | 'sensitive';

export interface Text {
  zh: string;
  en: string;
}

export interface FactField {
  key: string;
  column: string;
  type: FactType;
  sensitivity: Sensitivity;
  label: Text;
  /** For string facts with a closed set of values. */
  values?: readonly string[];
}

export interface DataSource {
  id: string;
  subject: SubjectKind;
  department: Text;
  /** MongoDB collection of the city data platform holding this source (keyed by `idNumber` or `creditCode`). */
  collection: string;
  fields: FactField[];
}

const f = (
  key: string,
  type: FactType,
  sensitivity: Sensitivity,
  zh: string,
  en: string,
  values?: readonly string[],
): FactField => ({
  key,
  column: key.split('.')[1],
  type,
  sensitivity,
  label: { zh, en },
  ...(values ? { values } : {}),
});

export const DISTRICTS = [
  '德城区',
  '陵城区',
  '禹城市',
  '乐陵市',
  '临邑县',
  '平原县',
  '夏津县',
  '武城县',
  '庆云县',
  '宁津县',
  '齐河县',
] as const;

export const DATA_SOURCES: readonly DataSource[] = [
  {
    id: 'household-registry',
    subject: 'person',
    department: { zh: '市公安局', en: 'Municipal Public Security Bureau' },
    collection: 'dp_household_registry',
    fields: [
      f('person.birthDate', 'date', 'personal', '出生日期', 'date of birth'),
      f('person.gender', 'string', 'personal', '性别', 'gender', ['male', 'female']),
      f('person.localHukou', 'boolean', 'personal', '本市户籍', 'registered local household (hukou)'),
      f('person.district', 'string', 'public', '户籍所在区县', 'district of household registration', DISTRICTS),
      f('person.hukouSince', 'date', 'personal', '落户日期', 'date household registration began'),
      f('person.alive', 'boolean', 'personal', '在世', 'alive'),
      f('person.guardianIdNumber', 'string', 'sensitive', '监护人身份证号', "guardian's resident ID"),
    ],
  },
  {
    id: 'civil-affairs',
    subject: 'person',
    department: { zh: '市民政局', en: 'Municipal Civil Affairs Bureau' },
    collection: 'dp_civil_affairs',
    fields: [
      f('person.maritalStatus', 'string', 'personal', '婚姻状况', 'marital status', [
        'single',
        'married',
        'divorced',
        'widowed',
      ]),
      f(
        'person.minimumLivingAllowance',
        'boolean',
        'sensitive',
        '享受最低生活保障',
        'receives the minimum living allowance (dibao)',
      ),
      f('person.specialHardship', 'boolean', 'sensitive', '特困人员', 'person in extreme hardship (tekun)'),
      f(
        'person.householdIncomePerCapita',
        'number',
        'sensitive',
        '家庭月人均收入（元）',
        'household monthly income per head (CNY)',
      ),
    ],
  },
  {
    id: 'social-insurance',
    subject: 'person',
    department: { zh: '市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' },
    collection: 'dp_social_insurance',
    fields: [
      f('person.employmentStatus', 'string', 'personal', '就业状态', 'employment status', [
        'employed',
        'unemployed',
        'retired',
        'student',
        'none',
      ]),
      f(
        'person.unemploymentInsuranceMonths',
        'number',
        'personal',
        '失业保险累计缴费月数',
        'months of unemployment-insurance contributions',
      ),
      f('person.employmentEndedOn', 'date', 'personal', '劳动关系终止日期', 'date the last employment ended'),
      f(
        'person.involuntaryUnemployment',
        'boolean',
        'personal',
        '非本人意愿中断就业',
        'employment ended involuntarily',
      ),
      f('person.unemploymentRegistered', 'boolean', 'personal', '已办理失业登记', 'registered as unemployed'),
      f('person.pensionInsured', 'boolean', 'personal', '参加养老保险', 'insured for the basic pension'),
      f('person.retiredOn', 'date', 'personal', '退休日期', 'retirement date'),
    ],
  },
  {
    // The financial account of the social security card (社保卡金融账户): where benefits are paid.
    id: 'social-security-card',
    subject: 'person',
    department: { zh: '市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' },
    collection: 'dp_social_security_card',
    fields: [
      f(
        'person.bankAccountNumber',
        'string',
        'sensitive',
        '社保卡金融账号',
        'bank account number of the social security card',
      ),
      f(
        'person.bankAccountBankCode',
        'string',
        'personal',
        '社保卡开户行行号',
        'bank code (CNAPS) of the social security card account',
      ),
      f(
        'person.bankAccountStatus',
        'string',
        'personal',
        '社保卡金融账户状态',
        'status of the social security card account',
        ['active', 'closed'],
      ),
      f(
        'person.bankAccountHolderName',
        'string',
        'sensitive',
        '社保卡金融账户户名',
        'name of the social security card account holder',
      ),
    ],
  },
  {
    id: 'disability-federation',
    subject: 'person',
    department: { zh: '市残疾人联合会', en: 'Municipal Disabled Persons’ Federation' },
    collection: 'dp_disability',
    fields: [
      // A boolean the federation always answers: "no record" means false, so a person
      // without a certificate is ineligible for disability benefits, not undetermined.
      f('person.disabilityCertified', 'boolean', 'sensitive', '持有残疾人证', 'holds a disability certificate'),
      f('person.disabilityGrade', 'number', 'sensitive', '残疾等级（1-4级）', 'disability grade (1 most severe to 4)'),
      f('person.disabilityType', 'string', 'sensitive', '残疾类别', 'disability type', [
        'visual',
        'hearing',
        'speech',
        'physical',
        'intellectual',
        'mental',
        'multiple',
      ]),
      f(
        'person.disabilityCertifiedOn',
        'date',
        'sensitive',
        '残疾人证核发日期',
        'date the disability certificate was issued',
      ),
    ],
  },
  {
    id: 'education',
    subject: 'person',
    department: { zh: '市教育局', en: 'Municipal Education Bureau' },
    collection: 'dp_education',
    fields: [f('person.schoolEnrolled', 'boolean', 'personal', '已入学', 'enrolled in compulsory education')],
  },
  {
    id: 'business-registry',
    subject: 'enterprise',
    department: { zh: '市市场监督管理局', en: 'Municipal Market Supervision Administration' },
    collection: 'dp_business_registry',
    fields: [
      f('enterprise.establishedOn', 'date', 'public', '成立日期', 'date established'),
      f('enterprise.status', 'string', 'public', '登记状态', 'registration status', [
        'active',
        'deregistered',
        'revoked',
      ]),
      f('enterprise.district', 'string', 'public', '登记机关所在区县', 'district of registration', DISTRICTS),
      f('enterprise.industry', 'string', 'public', '行业', 'industry', [
        'manufacturing',
        'retail',
        'services',
        'construction',
        'agriculture',
        'technology',
        'logistics',
      ]),
      f('enterprise.size', 'string', 'public', '企业规模', 'enterprise size', ['micro', 'small', 'medium', 'large']),
      f('enterprise.employeeCount', 'number', 'public', '从业人数', 'number of employees'),
    ],
  },
  {
    id: 'enterprise-social-insurance',
    subject: 'enterprise',
    department: { zh: '市人力资源和社会保障局', en: 'Municipal Human Resources and Social Security Bureau' },
    collection: 'dp_enterprise_insurance',
    fields: [
      f(
        'enterprise.unemploymentPremiumsLastYear',
        'number',
        'personal',
        '上年度实际缴纳失业保险费（元）',
        'unemployment-insurance premiums paid last year (CNY)',
      ),
      f(
        'enterprise.insuredEmployeesLastYear',
        'number',
        'personal',
        '上年末参保职工人数',
        'insured employees at the end of last year',
      ),
      f('enterprise.layoffRate', 'number', 'personal', '上年度裁员率（%）', 'layoff rate last year (%)'),
      f(
        'enterprise.premiumsInArrears',
        'boolean',
        'personal',
        '欠缴社会保险费',
        'social insurance premiums in arrears',
      ),
    ],
  },
  {
    id: 'tax',
    subject: 'enterprise',
    department: { zh: '国家税务总局德州市税务局', en: 'Dezhou Municipal Tax Service' },
    collection: 'dp_tax',
    fields: [
      f('enterprise.taxCreditRating', 'string', 'personal', '纳税信用等级', 'tax credit rating', [
        'A',
        'B',
        'M',
        'C',
        'D',
      ]),
      f('enterprise.annualRevenue', 'number', 'sensitive', '上年度营业收入（元）', 'revenue last year (CNY)'),
    ],
  },
  {
    id: 'credit',
    subject: 'enterprise',
    department: {
      zh: '市发展和改革委员会（信用办）',
      en: 'Municipal Development and Reform Commission (credit office)',
    },
    collection: 'dp_credit',
    fields: [
      f(
        'enterprise.seriousDishonesty',
        'boolean',
        'public',
        '列入严重失信主体名单',
        'listed as a seriously dishonest entity',
      ),
    ],
  },
];

const FIELD_INDEX = new Map<string, { source: DataSource; field: FactField }>(
  DATA_SOURCES.flatMap((source) => source.fields.map((field) => [field.key, { source, field }] as const)),
);

/** The source and field definition of a fact key, or undefined for an unknown fact. */
export function findFact(key: string): { source: DataSource; field: FactField } | undefined {
  return FIELD_INDEX.get(key);
}

export function findSource(id: string): DataSource | undefined {
  return DATA_SOURCES.find((source) => source.id === id);
}
