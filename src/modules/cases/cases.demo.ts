// Demo data for the cases module: centres at city, county and town level, mediators (backpack mediators among
// them), departments, and cases over the last months in every state, so that the board and the figures have
// something to show. Made through the services (with a clock moved to the past), so the timelines are real.
// Idempotent: nothing happens once the 邵阳县 centre exists.
import { systemActor, type Actor } from '../../platform/access.ts';
import { FakeClock } from '../../platform/clock.ts';
import type { Platform } from '../../platform/context.ts';
import { isRole } from '../../platform/auth/policy.ts';
import { accountsRepo } from '../accounts/accounts.repo.ts';
import { actorOf } from '../accounts/accounts.service.ts';
import type { CaseType, Outcome, RiskLevel } from './cases.policy.ts';
import type { IntakeInput } from './cases.schema.ts';
import { CasesService } from './cases.service.ts';
import { CentresService } from './centres.service.ts';
import { centresRepo } from './centres.repo.ts';

const DAY = 86_400_000;

interface DemoCase {
  daysAgo: number;
  by: string;
  areaCode: string;
  type: CaseType;
  risk: RiskLevel;
  channel: IntakeInput['channel'];
  title: string;
  summary: string;
  parties: IntakeInput['parties'];
  peopleCount?: number;
  amountInvolved?: number;
  until: 'assigned' | 'mediating' | 'concluded' | 'rated';
  outcome?: Outcome;
  tookDays?: number;
  satisfaction?: number;
}

const p = (role: 'applicant' | 'respondent', name: string, phone: string) => ({ role, name, phone });

const demoCases: DemoCase[] = [
  { daysAgo: 140, by: 'sy_town', areaCode: '430523100203', type: 'neighbour', risk: 'low', channel: 'walk_in', title: '宅基地滴水纠纷', summary: '两户相邻房屋屋檐滴水落入对方院内，多次争吵。', parties: [p('applicant', '刘建华', '13907391001'), p('respondent', '刘德胜', '13907391002')], until: 'rated', outcome: 'agreement', tookDays: 9, satisfaction: 5 },
  { daysAgo: 120, by: 'sy_town', areaCode: '430523100205', type: 'marriage_family', risk: 'medium', channel: 'representative', title: '赡养老人费用分担纠纷', summary: '三兄弟对母亲赡养费用分担有分歧，村民代表走访时反映。', parties: [p('applicant', '李桂香', '13907391003'), p('respondent', '王志勇', '13907391004')], until: 'rated', outcome: 'agreement', tookDays: 16, satisfaction: 4 },
  { daysAgo: 100, by: 'sy_operator', areaCode: '430523100206', type: 'wages', risk: 'medium', channel: 'hotline', title: '工地农民工工资拖欠', summary: '12名农民工反映某工地拖欠工资共计18万元。', parties: [p('applicant', '陈小平', '13907391005'), p('respondent', '黄永红', '13907391006')], peopleCount: 12, amountInvolved: 180000, until: 'rated', outcome: 'agreement', tookDays: 12, satisfaction: 5 },
  { daysAgo: 90, by: 'sy_town', areaCode: '430523100207', type: 'land_forest', risk: 'low', channel: 'visit', title: '山林界址争议', summary: '两组村民对一片杉木林的界址存在争议。', parties: [p('applicant', '周茂林', '13907391007'), p('respondent', '唐国华', '13907391008')], until: 'rated', outcome: 'court', tookDays: 28, satisfaction: 3 },
  { daysAgo: 70, by: 'sy_operator', areaCode: '430523', type: 'mass_economic', risk: 'high', channel: 'hotline', title: '某农业合作社非法集资', summary: '群众反映某合作社以高息为诱饵吸收存款，无法兑付。', parties: [p('applicant', '罗永清', '13907391009'), p('respondent', '邓某某', '13907391010')], peopleCount: 86, amountInvolved: 3_260_000, until: 'mediating' },
  { daysAgo: 60, by: 'sy_town', areaCode: '430523100208', type: 'traffic', risk: 'low', channel: 'walk_in', title: '电动车与小轿车剐蹭赔偿', summary: '电动车与小轿车剐蹭，双方对赔偿金额有争议。', parties: [p('applicant', '谢明', '13907391011'), p('respondent', '蒋丽', '13907391012')], until: 'rated', outcome: 'agreement', tookDays: 6, satisfaction: 5 },
  { daysAgo: 45, by: 'sy_town', areaCode: '430523100203', type: 'property', risk: 'low', channel: 'online', title: '小区物业费收取纠纷', summary: '业主对物业费上涨不满，拒交物业费。', parties: [p('applicant', '曾志华', '13907391013'), p('respondent', '肖红', '13907391014')], until: 'concluded', outcome: 'withdrawn', tookDays: 5 },
  { daysAgo: 20, by: 'sy_town', areaCode: '430523100213', type: 'wages', risk: 'medium', channel: 'walk_in', title: '装修工人工钱纠纷', summary: '装修完工后业主以质量问题为由扣留工钱8000元。', parties: [p('applicant', '彭国强', '13907391015'), p('respondent', '廖美玲', '13907391016')], amountInvolved: 8000, until: 'mediating' },
  { daysAgo: 8, by: 'sy_grid', areaCode: '430523100203', type: 'neighbour', risk: 'low', channel: 'visit', title: '排水沟堵塞引发邻里矛盾', summary: '一户修建围墙堵塞排水沟，雨天积水淹入邻居菜地。', parties: [p('applicant', '刘小燕', '13907391017'), p('respondent', '刘国庆', '13907391018')], until: 'mediating' },
  { daysAgo: 2, by: 'sy_town', areaCode: '430523100215', type: 'marriage_family', risk: 'low', channel: 'walk_in', title: '离婚后子女探视纠纷', summary: '离婚后一方阻挠另一方探视子女。', parties: [p('applicant', '胡晓红', '13907391019'), p('respondent', '袁军', '13907391020')], until: 'assigned' },
  { daysAgo: 50, by: 'lh_operator', areaCode: '430524001001', type: 'neighbour', risk: 'low', channel: 'walk_in', title: '隆回县邻里噪音纠纷', summary: '楼上住户夜间噪音扰民。', parties: [p('applicant', '钟华', '13907392001'), p('respondent', '石磊', '13907392002')], until: 'rated', outcome: 'agreement', tookDays: 7, satisfaction: 4 },
  { daysAgo: 10, by: 'lh_operator', areaCode: '430524001002', type: 'contract', risk: 'medium', channel: 'hotline', title: '隆回县租赁合同纠纷', summary: '门面租赁到期后押金退还纠纷。', parties: [p('applicant', '龙飞', '13907392003'), p('respondent', '杨帆', '13907392004')], until: 'mediating' },
];

export async function seedCasesDemo(p0: Platform, progress: (msg: string) => void = () => {}): Promise<void> {
  const db = p0.db.kysely;
  if (await centresRepo.centreByArea(db, '430523')) return;
  const sys = systemActor('demo-seed');
  const centres = new CentresService(p0);
  const city = await centres.createCentre(sys, { areaCode: '430500', name: '邵阳市一站式矛盾纠纷调处化解中心', leaderName: '刘志强（市委政法委副书记）', phone: '0739-12345' });
  const sy = await centres.createCentre(sys, { areaCode: '430523', name: '邵阳县一站式矛盾纠纷调处化解中心', leaderName: '王海涛（县委政法委书记）', phone: '0739-6822110' });
  const lh = await centres.createCentre(sys, { areaCode: '430524', name: '隆回县一站式矛盾纠纷调处化解中心', leaderName: '陈立军（县委政法委书记）', phone: '0739-8222110' });
  const tdk = await centres.createCentre(sys, { areaCode: '430523100', name: '塘渡口镇矛盾纠纷调处化解中心', phone: '0739-6821001' });
  const thp = await centres.createCentre(sys, { areaCode: '430524001', name: '桃花坪街道矛盾纠纷调处化解中心', phone: '0739-8221001' });
  const mediatorUser = await accountsRepo.findUserByUsername(db, 'sy_mediator');
  const mediators = [
    { centreId: tdk.id, name: '刘秀英', kind: 'backpack' as const, areaCode: '430523100203', specialities: ['neighbour', 'marriage_family', 'land_forest'] as CaseType[], capacity: 8, userId: mediatorUser?.id, phone: '13907390101' },
    { centreId: tdk.id, name: '张国平', kind: 'centre' as const, areaCode: '430523100', specialities: ['wages', 'contract', 'property', 'traffic'] as CaseType[], capacity: 10, phone: '13907390102' },
    { centreId: tdk.id, name: '李春兰', kind: 'backpack' as const, areaCode: '430523100205', specialities: ['marriage_family', 'neighbour'] as CaseType[], capacity: 5, phone: '13907390103' },
    { centreId: sy.id, name: '赵德明', kind: 'centre' as const, areaCode: '430523', specialities: ['mass_economic', 'wages', 'medical', 'traffic'] as CaseType[], capacity: 15, phone: '13907390104' },
    { centreId: sy.id, name: '周红梅', kind: 'specialist' as const, areaCode: '430523', specialities: ['medical', 'marriage_family'] as CaseType[], capacity: 10, phone: '13907390105' },
    { centreId: lh.id, name: '何建华', kind: 'centre' as const, areaCode: '430524', specialities: ['mass_economic', 'wages'] as CaseType[], capacity: 12, phone: '13907390106' },
    { centreId: thp.id, name: '罗小军', kind: 'centre' as const, areaCode: '430524001', specialities: ['neighbour', 'contract'] as CaseType[], capacity: 10, phone: '13907390107' },
    { centreId: city.id, name: '邓志刚', kind: 'centre' as const, areaCode: '430500', specialities: ['mass_economic', 'medical'] as CaseType[], capacity: 20, phone: '13907390108' },
  ];
  for (const m of mediators) await centres.createMediator(sys, { ...m, ...(m.userId ? { userId: m.userId } : {}) });
  for (const d of [
    { areaCode: '430523', name: '邵阳县人力资源和社会保障局', kind: 'labour', contact: '0739-6822345' },
    { areaCode: '430523', name: '邵阳县人民法院', kind: 'court', contact: '0739-6822456' },
    { areaCode: '430523', name: '邵阳县信访局', kind: 'petition', contact: '0739-6822567' },
    { areaCode: '430523100', name: '塘渡口派出所', kind: 'police', contact: '0739-6821110' },
    { areaCode: '430524', name: '隆回县人力资源和社会保障局', kind: 'labour', contact: '0739-8222345' },
  ]) {
    await centres.createDepartment(sys, d);
  }
  progress('  cases: 5 mediation centres, 8 mediators, 5 departments');
  await seedDemoCases(p0);
  progress(`  cases: ${demoCases.length} demo cases`);
}

async function userActor(p0: Platform, username: string): Promise<Actor> {
  const u = await accountsRepo.findUserByUsername(p0.db.kysely, username);
  if (!u || !isRole(u.role)) throw new Error(`demo account ${username} is missing`);
  return actorOf(u, u.role, null);
}

async function seedDemoCases(p0: Platform): Promise<void> {
  const today = p0.clock.now().getTime();
  const clock = new FakeClock(new Date(today));
  // The same services on a clock of their own, moved to when each step happened.
  const cases = new CasesService({ ...p0, clock });
  for (const d of demoCases) {
    clock.set(new Date(today - d.daysAgo * DAY + 2 * 3600_000));
    const intakeBy = await userActor(p0, d.by);
    const staff = d.by === 'sy_grid' ? await userActor(p0, 'sy_town') : intakeBy;
    const { case: c } = await cases.intake(intakeBy, {
      title: d.title, type: d.type, risk: d.risk, channel: d.channel, areaCode: d.areaCode, summary: d.summary, parties: d.parties,
      ...(d.peopleCount ? { peopleCount: d.peopleCount } : {}), ...(d.amountInvolved ? { amountInvolved: d.amountInvolved } : {}),
    });
    if (d.until === 'assigned' || !c.mediatorId) continue;
    const mediator = (await centresRepo.getMediator(p0.db.kysely, c.mediatorId))?.username;
    const handler = mediator ? await userActor(p0, mediator) : staff;
    clock.advance(3 * 3600_000);
    await cases.sign(handler, c.id);
    clock.advance(DAY);
    await cases.recordSession(handler, c.id, { place: '调解室', note: '召集双方当事人面对面调解，了解双方诉求。' });
    if (d.until === 'mediating') continue;
    clock.advance(((d.tookDays ?? 5) - 1) * DAY);
    await cases.conclude(handler, c.id, { outcome: d.outcome ?? 'agreement', note: '经调解双方达成一致。', ...(d.outcome === 'agreement' ? { agreement: '双方签订人民调解协议书，按约履行。' } : {}) });
    if (d.until === 'concluded') continue;
    clock.advance(3 * DAY);
    await cases.followUp(staff, c.id, { method: 'phone', note: '电话回访，协议已履行。' });
    await cases.rate(staff, c.id, { satisfaction: d.satisfaction ?? 4 });
  }
}
