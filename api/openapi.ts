/**
 * The API's OpenAPI document (GET /openapi.json) and Swagger UI (/docs), built from the
 * routes' own JSON schemas, so the document cannot fall behind the routes. Register it
 * before any route: @fastify/swagger only sees routes added after it loads.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

const TAGS = [
  {
    name: 'events',
    description: '部门签名上报生活事件 · life events published by registered departments with signed requests',
  },
  {
    name: 'policies',
    description: '政策起草、校验、测试、审核与发布 · policy drafting, validation, tests, review and publication',
  },
  { name: 'simulation', description: '政策沙盘：全市影响测算 · impact simulation over the whole city' },
  { name: 'explain', description: '资格解释 · why a subject is or is not eligible' },
  {
    name: 'sweeps',
    description:
      '主动筛查：按政策或到龄日期对全市批量筛查，暂停、继续、取消与进度 · proactive sweeps over the city: start, progress, pause, resume, cancel',
  },
  {
    name: 'payroll',
    description:
      '按月发放：发起与预览发放批次、审核放款（双人复核） · the payroll: start and preview a payment batch, release by a second reviewer',
  },
  {
    name: 'ledger',
    description:
      '发放台账：按政策和期间的发放、退票、追回与欠款，追缴清单与缴款登记 · the ledger: paid, returned, recovered and owed per policy and period, the collection list and collections',
  },
  {
    name: 'cases',
    description:
      '案件督查：按居民查询案件、时间线、查看完整证件号（须说明理由） · case search, timeline and unmasking with a stated reason',
  },
  {
    name: 'codes',
    description:
      '居民码/企业码：亮码（出示一张证照或是否类声明），登记核验方签名扫码核验，一码一次、约一分钟有效 · resident and enterprise codes: show a certificate or a yes/no claim; registered verifiers scan with signed requests; one scan per code, about a minute',
  },
  { name: 'catalog', description: '数据共享目录、运算符与触发事件 · data sources, operators and triggers' },
  {
    name: 'matters',
    description:
      '用证事项清单：各事项过去需要的证明材料及现在的获取方式（数据共享、部门核验、电子证照、告知承诺、直接取消），版本经双人复核发布，只增不减 · the list of matters: the proofs each used to require and how each is obtained now (sharing, verification, e-certificate, pledge, cancelled), versions published with four eyes, never reduced',
  },
  {
    name: 'citizen',
    description:
      '本人事项：消息、待遇、待确认事项、承诺核查、数据使用记录 · the citizen’s own inbox, benefits, offers, pledges and who used their data',
  },
  {
    name: 'certificates',
    description:
      '电子证照与电子印章：本人证照夹、验章验签（在线或离线）、印章登记簿、撤销列表、撤销证照与轮换吊销印章 · electronic certificates under SM2 seals: the wallet, verification online and offline, the seal registry, the revocation list, revocation and seal rotation',
  },
  {
    name: 'metrics',
    description:
      '监督指标：主动兑现、应享尽享、待定原因、时长、数据共享需求满足率、电子证照证明替代率；Prometheus 监控 · programme indicators and the Prometheus endpoint',
  },
  {
    name: 'objections',
    description:
      '异议：提出、数据更正、重新判定、补发或追回 · objections: filing, the owning department’s correction, re-evaluation, arrears or recovery',
  },
  {
    name: 'window',
    description:
      '窗口服务（线下兜底）：登记到场群众、代为确认或放弃、代为提出异议、打印通知与决定书，书面通知核验 · the service window: serving the person present, answering offers and filing objections for them, printing notices and letters, and the printed notices’ check',
  },
  {
    name: 'outreach',
    description:
      '应享尽享：无法判定但可能符合条件的人员名单（按原因分组）、向数据部门申请补充数据、主动联系 · outreach: people likely eligible but undetermined, grouped by cause; data requests to the owning department; contacts',
  },
  {
    name: 'fact-requests',
    description:
      '数据需求：经办人向数据提供部门申请目录中没有的数据项，部门以签名请求答复（增加数据项，经双人复核发布；或说明理由拒绝），计入数据共享有效需求满足率 · fact requests: officers ask the owning department for a fact the catalog lacks; the department answers with its signed request (adds the fact, published with four eyes, or refuses with a reason); counted in the data-sharing demand-satisfaction indicator',
  },
  {
    name: 'applications',
    description:
      '依申请 免提交：预填申请表（注明每项数据来源），部门自行以数据共享、部门核验、电子证照或告知承诺取得证明，替代方式不成时仅补传所缺材料，承办部门在法定时限内办结并通知 · proof-free applications: the form pre-filled from shared data with each source shown, every proof obtained by the agency itself (sharing, verification, e-certificate, pledge), an upload only for a proof whose replacement failed, decided by the department within its statutory limit and noticed',
  },
  {
    name: 'verifications',
    description:
      '证明核验：部门以签名请求核验事项清单列明的核验事项，获得“是／否／无法确定”及有效期和签名（不返回数据本身），需按法定程序办理的由出具部门限时答复；每次核验记入数据使用记录并归档复用 · verifications: a department, signed, asks a claim its matter lists and gets yes / no / cannot-tell with a validity and a signature, never the data; claims answered by a procedure are answered by the certifying department within their time limit; every verification is access-logged and archived for reuse',
  },
  {
    name: 'tasks',
    description:
      '待办任务：按法定办结时限提醒、超期上报督查，认领、退回、改派、办结 · worklists: tasks on their statutory time limits, claimed, released, reassigned and completed',
  },
  {
    name: 'sign-in',
    description:
      '登录与退出：令牌或统一身份认证，控制台会话（httpOnly Cookie），服务端退出 · signing in with a token or the city’s identity provider, console sessions, sign-out on the server',
  },
  { name: 'console', description: '管理控制台（网页） · the web console' },
  { name: 'health', description: '服务状态与实时概况 · service health and live summary' },
];

/** Registers the OpenAPI generator, GET /openapi.json and Swagger UI at /docs. */
export function registerOpenApi(app: FastifyInstance): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'applyfree API · 免申即享 API',
        version: '0.1.0',
        description:
          '免申即享 主动服务引擎：上报生活事件，起草、校验、测试、测算、审核并发布政策，解释资格。需要身份的接口使用 Bearer 令牌；部门上报事件须签名请求。\n\n' +
          'Apply-free proactive public services engine: publish life events; draft, validate, test, simulate, review and publish policies; explain eligibility. Routes that name a person take a bearer token; departments sign the events they publish.',
      },
      tags: TAGS,
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              '用户令牌（applyfree user add 签发，可吊销，有闲置和绝对时限） · a user’s token (issued by applyfree user add; revocable; idle and absolute limits)',
          },
          department: {
            type: 'apiKey',
            in: 'header',
            name: 'x-applyfree-signature',
            description:
              '部门签名请求：x-applyfree-department、x-applyfree-key、x-applyfree-timestamp、x-applyfree-nonce，以及 x-applyfree-signature = HMAC-SHA256(密钥, "METHOD\\npath\\ntimestamp\\nnonce\\nSHA-256(body)")（README「Departments」） · ' +
              'a department’s signed request: x-applyfree-department, x-applyfree-key, x-applyfree-timestamp, x-applyfree-nonce and x-applyfree-signature = hex HMAC-SHA256(secret, "METHOD\\npath\\ntimestamp\\nnonce\\nhex SHA-256(body)") (README, Departments)',
          },
          verifier: {
            type: 'apiKey',
            in: 'header',
            name: 'x-applyfree-signature',
            description:
              '核验方签名请求：x-applyfree-verifier、x-applyfree-key、x-applyfree-timestamp、x-applyfree-nonce、x-applyfree-signature，签名方法同部门（README「Resident and enterprise codes」） · ' +
              'a verifier’s signed request: x-applyfree-verifier, x-applyfree-key, x-applyfree-timestamp, x-applyfree-nonce and x-applyfree-signature, signed as a department signs (README, Resident and enterprise codes)',
          },
        },
      },
    },
  });
  // Swagger UI's page needs its own inline script and style (by hash) and https fonts: a policy of its own, on /docs
  // only; never framed, no <base>, and no upgrade-insecure-requests on a plain-http development API.
  void app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (header) =>
      header
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace("base-uri 'self'", "base-uri 'none'")
        .replace(/\s*upgrade-insecure-requests;?/, ''),
  });
  void app.register(async (scope) => {
    scope.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  });
}
