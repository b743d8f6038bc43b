// zh-CN (default) and en texts. t(key, vars) looks the key up in the current language and
// fills {name} placeholders; unknown keys come back as themselves (visible, not blank).
const TEXTS = {
  'zh-CN': {
    title: '大客户流失预警', switchTo: 'English', token: '令牌', tokenHint: 'API 令牌（确认告警需要）',
    navRisk: '风险客户', navAlerts: '告警', navRules: '规则',
    all: '全部', tier: '等级', owner: '客户经理', region: '区域', signal: '信号', severity: '严重度',
    search: '搜索名称或编号', sort: '排序', firingOnly: '仅显示有告警的客户', more: '加载更多',
    colAccount: '客户', colHealth: '健康分', colSignals: '触发信号', colSince: '起始', colVolume: '近四季度量',
    shown: '显示 {n} / {total} 个客户', none: '没有符合条件的客户', loading: '加载中…',
    sortHealth: '健康分（低→高）', sortSeverity: '严重度', sortName: '名称', sortId: '编号', sortSince: '告警起始（最早）',
    sev_critical: '严重', sev_warning: '警告', sev_info: '提示', sev_none: '无告警',
    back: '← 返回风险客户', profile: '客户档案', stage: '阶段', industry: '行业', creditRisk: '信用风险', sponsor: '高层发起人',
    health: '健康分', satisfaction: '满意度', value: '价值', risk: '风险',
    volumeChart: '各产品线季度采购量', quantity: '数量', noOrders: '暂无订单',
    firingAlerts: '正在触发的告警', noFiring: '没有正在触发的告警', evidence: '证据', action: '建议行动',
    history: '告警历史', noHistory: '暂无历史', historyUnavailable: '此服务器未提供告警历史接口',
    timeline: '近期动态', noTimeline: '暂无记录', contacts: '联系人（按角色与层级）', noContacts: '暂无联系人',
    active: '在职', left: '已离开',
    ev_order: '订单', ev_service: '服务', ev_contact: '联系',
    ack: '确认', acked: '已由 {by} 确认', ackBy: '确认人', ackNote: '备注', ackOk: '已确认告警 {id}',
    ackNeedToken: '确认失败：需要有效的令牌（401）', ackNotFound: '告警不存在（404）',
    ackUnsupported: '此服务器不支持确认告警', ackFailed: '确认失败：{msg}', escalated: '已升级',
    live: '实时告警流', liveConnected: '已连接', liveDisconnected: '连接中断，正在重连…', liveUnsupported: '此服务器未提供实时告警流',
    noTransitions: '等待新的告警变化…', currentFiring: '当前触发中的告警',
    rulesVersion: '规则版本', loadedAt: '加载时间', files: '文件', lastReload: '最近一次重载',
    reloadOk: '成功', reloadFailed: '失败', problems: '问题', rule: '规则', kind: '类型', forDuration: '持续', tiers: '适用等级',
    notFound: '客户 {id} 不存在', error: '出错了：{msg}', asOf: '数据时间 {t}',
    state_FIRING: '触发', state_RESOLVED: '已恢复', state_PENDING: '待定', state_REROUTED: '已转派', state_ACKNOWLEDGED: '已确认',
    sig_volume_decline: '采购量下降', sig_meeting_cancelled: '会议取消', sig_reference_withdrawn: '撤回推荐',
    sig_key_contact_change: '关键联系人变动', sig_manager_turnover: '客户经理更换', sig_product_line_dropped: '产品线流失',
    sig_purchase_silence: '采购沉默', sig_service_degradation: '服务质量下降', sig_exec_contact_gap: '高层联系缺失',
    sig_external_risk: '外部风险', sig_health_low: '健康分过低',
    role_DECISION_MAKER: '决策者', role_INFLUENCER: '影响者', role_SUPPORTER: '支持者', role_OPPONENT: '反对者', role_USER: '使用者',
    level_EXECUTIVE: '高层', level_MANAGEMENT: '管理层', level_OPERATIONAL: '执行层',
    tl_orders: '订单', tl_quantity: '数量', tl_tickets_opened: '新建工单', tl_tickets_resolved: '解决工单',
    tl_tickets_escalated: '升级工单', tl_complaints: '投诉', tl_sla_breaches: 'SLA 违约', tl_surveys: '满意度调查',
    tl_calls: '电话', tl_visits: '拜访', tl_contacts_added: '新增联系人', tl_contacts_left: '联系人离开',
    tl_role_changes: '角色变更', tl_references_withdrawn: '撤回推荐', tl_manager_changes: '经理更换',
    tl_meetings_scheduled: '会议已安排', tl_meetings_held: '会议已举行', tl_meetings_cancelled: '会议取消',
  },
  en: {
    title: 'Key account churn watch', switchTo: '中文', token: 'Token', tokenHint: 'API token (needed to acknowledge)',
    navRisk: 'At risk', navAlerts: 'Alerts', navRules: 'Rules',
    all: 'All', tier: 'Tier', owner: 'Owner', region: 'Region', signal: 'Signal', severity: 'Severity',
    search: 'Search name or id', sort: 'Sort', firingOnly: 'Only accounts with alerts', more: 'Load more',
    colAccount: 'Account', colHealth: 'Health', colSignals: 'Firing signals', colSince: 'Since', colVolume: 'Last 4 quarters',
    shown: '{n} of {total} accounts', none: 'No account matches', loading: 'Loading…',
    sortHealth: 'Health (low first)', sortSeverity: 'Severity', sortName: 'Name', sortId: 'Id', sortSince: 'Alert since (oldest)',
    sev_critical: 'Critical', sev_warning: 'Warning', sev_info: 'Info', sev_none: 'No alert',
    back: '← Back to at-risk accounts', profile: 'Profile', stage: 'Stage', industry: 'Industry', creditRisk: 'Credit risk', sponsor: 'Executive sponsor',
    health: 'Health score', satisfaction: 'Satisfaction', value: 'Value', risk: 'Risk',
    volumeChart: 'Quarterly volume per product line', quantity: 'Quantity', noOrders: 'No orders yet',
    firingAlerts: 'Firing alerts', noFiring: 'No alert is firing', evidence: 'Evidence', action: 'Suggested action',
    history: 'Alert history', noHistory: 'No history yet', historyUnavailable: 'This server has no alert history endpoint',
    timeline: 'Recent activity', noTimeline: 'Nothing recorded', contacts: 'Contacts by role and level', noContacts: 'No contacts',
    active: 'active', left: 'left',
    ev_order: 'Orders', ev_service: 'Service', ev_contact: 'Contact',
    ack: 'Acknowledge', acked: 'Acknowledged by {by}', ackBy: 'Acknowledged by', ackNote: 'Note', ackOk: 'Acknowledged alert {id}',
    ackNeedToken: 'Not acknowledged: a valid token is required (401)', ackNotFound: 'No such alert (404)',
    ackUnsupported: 'This server can not acknowledge alerts', ackFailed: 'Not acknowledged: {msg}', escalated: 'escalated',
    live: 'Live alert transitions', liveConnected: 'connected', liveDisconnected: 'disconnected, reconnecting…', liveUnsupported: 'This server has no live alert stream',
    noTransitions: 'Waiting for alert transitions…', currentFiring: 'Alerts firing now',
    rulesVersion: 'Rules version', loadedAt: 'Loaded at', files: 'Files', lastReload: 'Last reload',
    reloadOk: 'ok', reloadFailed: 'rejected', problems: 'Problems', rule: 'Rule', kind: 'Kind', forDuration: 'For', tiers: 'Tiers',
    notFound: 'Account {id} not found', error: 'Something went wrong: {msg}', asOf: 'as of {t}',
    state_FIRING: 'firing', state_RESOLVED: 'resolved', state_PENDING: 'pending', state_REROUTED: 'rerouted', state_ACKNOWLEDGED: 'acknowledged',
    sig_volume_decline: 'Volume decline', sig_meeting_cancelled: 'Meetings cancelled', sig_reference_withdrawn: 'Reference withdrawn',
    sig_key_contact_change: 'Key contact change', sig_manager_turnover: 'Manager turnover', sig_product_line_dropped: 'Product line dropped',
    sig_purchase_silence: 'Purchase silence', sig_service_degradation: 'Service degradation', sig_exec_contact_gap: 'Executive contact gap',
    sig_external_risk: 'External risk', sig_health_low: 'Low health',
    role_DECISION_MAKER: 'Decision maker', role_INFLUENCER: 'Influencer', role_SUPPORTER: 'Supporter', role_OPPONENT: 'Opponent', role_USER: 'User',
    level_EXECUTIVE: 'Executive', level_MANAGEMENT: 'Management', level_OPERATIONAL: 'Operational',
    tl_orders: 'orders', tl_quantity: 'quantity', tl_tickets_opened: 'tickets opened', tl_tickets_resolved: 'tickets resolved',
    tl_tickets_escalated: 'tickets escalated', tl_complaints: 'complaints', tl_sla_breaches: 'SLA breaches', tl_surveys: 'surveys',
    tl_calls: 'calls', tl_visits: 'visits', tl_contacts_added: 'contacts added', tl_contacts_left: 'contacts left',
    tl_role_changes: 'role changes', tl_references_withdrawn: 'references withdrawn', tl_manager_changes: 'manager changes',
    tl_meetings_scheduled: 'meetings scheduled', tl_meetings_held: 'meetings held', tl_meetings_cancelled: 'meetings cancelled',
  },
};

const STORE_KEY = 'churnwatch.lang';
let lang = TEXTS[localStorage.getItem(STORE_KEY)] ? localStorage.getItem(STORE_KEY) : 'zh-CN';

export const languages = Object.keys(TEXTS);
export function currentLang() { return lang; }
export function setLang(next) {
  lang = TEXTS[next] ? next : 'zh-CN';
  localStorage.setItem(STORE_KEY, lang);
  document.documentElement.lang = lang;
}

export function t(key, vars) {
  let text = TEXTS[lang][key] ?? TEXTS['zh-CN'][key] ?? key;
  for (const [k, v] of Object.entries(vars || {})) text = text.replaceAll('{' + k + '}', String(v));
  return text;
}

// A label for an enum-ish value (signal, role, level, severity): translated when known.
export function label(prefix, value) {
  if (value == null || value === '') return '—';
  const key = prefix + value;
  return TEXTS[lang][key] ?? String(value);
}

export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

export function formatDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleDateString(lang, { year: 'numeric', month: '2-digit', day: '2-digit' });
}

export function formatNumber(n, digits = 0) {
  if (n == null || Number.isNaN(n)) return '—';
  return Number(n).toLocaleString(lang, { maximumFractionDigits: digits });
}

setLang(lang);
