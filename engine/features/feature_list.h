// The feature list, once: X(identifier, "unit", "meaning"). Included by features.cc only.
// Adding a feature: add a line here, compute it in ComputeFeatures(), document nothing else —
// the README table is generated from FeatureCatalog() (`churnwatch rules features`).
#define CHURNWATCH_FEATURES(X)                                                                         \
  X(qty_q0, "units", "PLACED quantity in the running quarter so far")                                  \
  X(qty_q1, "units", "PLACED quantity in the last complete quarter")                                   \
  X(qty_q2, "units", "PLACED quantity two quarters back")                                              \
  X(qty_q3, "units", "PLACED quantity three quarters back")                                            \
  X(qty_q4, "units", "PLACED quantity four quarters back")                                             \
  X(amount_q0, "cents", "PLACED amount in the running quarter so far")                                 \
  X(amount_q1, "cents", "PLACED amount in the last complete quarter")                                  \
  X(amount_q2, "cents", "PLACED amount two quarters back")                                             \
  X(amount_q3, "cents", "PLACED amount three quarters back")                                           \
  X(amount_q4, "cents", "PLACED amount four quarters back")                                            \
  X(orders_q1, "count", "PLACED orders in the last complete quarter")                                  \
  X(qty_change_q1, "ratio", "(qty_q1 - qty_q2) / qty_q2; NaN when qty_q2 = 0")                         \
  X(qty_change_q2, "ratio", "(qty_q2 - qty_q3) / qty_q3; NaN when qty_q3 = 0")                         \
  X(amount_change_q1, "ratio", "(amount_q1 - amount_q2) / amount_q2")                                  \
  X(amount_change_q2, "ratio", "(amount_q2 - amount_q3) / amount_q3")                                  \
  X(qty_yoy_change_q1, "ratio",                                                                        \
    "(qty_q1 - the same quarter a year earlier) / that quarter: seasonality; NaN before the "          \
    "first "                                                                                           \
    "order or when it was 0")                                                                          \
  X(qty_q1_vs_normal, "ratio",                                                                         \
    "qty_q1 / mean(q2..q5) - 1, over the quarters since the first order (>= 2); the decline "          \
    "against "                                                                                         \
    "the account's own normal")                                                                        \
  X(qty_q1_zscore, "std devs",                                                                         \
    "(qty_q1 - mean(q2..q5)) / their standard deviation (at least 10% of the mean): the decline "      \
    "in "                                                                                              \
    "units of the account's own quarter-to-quarter variability")                                       \
  X(quarter_elapsed, "ratio", "share of the running quarter elapsed at evaluation time (0..1)")        \
  X(qty_pace_q0, "units",                                                                              \
    "qty_q0 projected to the full quarter; NaN before 10% of it has elapsed")                          \
  X(qty_pace_change, "ratio", "(qty_pace_q0 - qty_q1) / qty_q1: the early form of a decline")          \
  X(product_lines_active, "count", "product lines with PLACED orders in the last 180 days")            \
  X(product_lines_total, "count", "product lines ever ordered")                                        \
  X(product_lines_dropped, "count",                                                                    \
    "regular lines (>= 4 order days in >= 2 quarters, >= 10% of the account's volume in the year "     \
    "before their last order) silent > 3x their own median gap and >= 91 days, while another "         \
    "line "                                                                                            \
    "was ordered in the last 91 days")                                                                 \
  X(orders_365d, "count", "PLACED orders in the last 365 days")                                        \
  X(amount_12m, "cents",                                                                               \
    "PLACED amount in the last 12 calendar months, the running one included (RFM monetary)")           \
  X(order_days_total, "count", "distinct days with PLACED orders, ever")                               \
  X(days_since_last_order, "days", "days since the last PLACED order; NaN if none")                    \
  X(median_order_gap_days, "days",                                                                     \
    "median gap between the last (up to 24) order days; NaN below 3 days")                             \
  X(silence_ratio, "ratio",                                                                            \
    "days_since_last_order / median_order_gap_days (purchase-cycle recency)")                          \
  X(p_alive, "probability",                                                                            \
    "BG/NBD probability that the account is still buying, from its distinct order days (x, t_x, "      \
    "T) and clv.params; 1 with a single order day, NaN without orders")                                \
  X(expected_purchases_next_quarter, "order days",                                                     \
    "BG/NBD expected order days in the next 91 days; NaN without orders")                              \
  X(p_alive_lowest_line, "probability",                                                                \
    "lowest p_alive among the account's product lines, each from its own distinct order days "         \
    "(partial churn: one line dying while the account buys); NaN without orders")                      \
  X(complaints_90d, "count", "complaints in the last 90 days")                                         \
  X(complaints_prev_90d, "count", "complaints in the 90 days before those")                            \
  X(sla_breaches_90d, "count", "SLA breaches in the last 90 days")                                     \
  X(escalations_90d, "count", "tickets escalated in the last 90 days")                                 \
  X(tickets_90d, "count", "tickets opened in the last 90 days")                                        \
  X(high_severity_90d, "count", "HIGH/CRITICAL tickets and complaints in the last 90 days")            \
  X(csat_avg_90d, "score 1-5", "average CSAT in the last 90 days; NaN without surveys")                \
  X(csat_avg_prev_90d, "score 1-5", "average CSAT in the 90 days before")                              \
  X(csat_trend, "score", "csat_avg_90d - csat_avg_prev_90d")                                           \
  X(csat_count_90d, "count", "CSAT answers in the last 90 days")                                       \
  X(nps_avg_90d, "score 0-10", "average NPS answer in the last 90 days")                               \
  X(nps_avg_prev_90d, "score 0-10", "average NPS answer in the 90 days before")                        \
  X(nps_trend, "score", "nps_avg_90d - nps_avg_prev_90d")                                              \
  X(nps_count_90d, "count", "NPS answers in the last 90 days")                                         \
  X(contacts_active, "count", "active contacts on the customer side")                                  \
  X(contacts_active_executive, "count", "active executive-level contacts")                             \
  X(contacts_active_management, "count", "active management-level contacts")                           \
  X(contacts_active_operational, "count", "active operational-level contacts")                         \
  X(decision_makers_active, "count", "active contacts with role DECISION_MAKER")                       \
  X(decision_maker_departures_180d, "count", "decision-makers who left in the last 180 days")          \
  X(contacts_left_180d, "count", "contacts who left in the last 180 days")                             \
  X(manager_changes_365d, "count", "our account manager replaced, last 365 days")                      \
  X(strategy_meetings_cancelled_365d, "count",                                                         \
    "annual strategy meetings cancelled, last 365 days")                                               \
  X(strategy_meetings_held_365d, "count", "annual strategy meetings held, last 365 days")              \
  X(executive_meetings_cancelled_180d, "count", "executive meetings cancelled, last 180 days")         \
  X(business_reviews_cancelled_180d, "count", "business reviews cancelled, last 180 days")             \
  X(meetings_cancelled_90d, "count", "meetings of any type cancelled, last 90 days")                   \
  X(references_withdrawn_180d, "count",                                                                \
    "our case study removed from the customer's site, last 180 days")                                  \
  X(days_since_exec_contact, "days",                                                                   \
    "days since the last held meeting, call or visit at executive level (since first seen if "         \
    "never)")                                                                                          \
  X(days_since_contact, "days", "days since the last held meeting, call or visit at any level")        \
  X(tier, "code", "1 strategic, 2 key, 3 growth, 4 potential, 5 ordinary; NaN without a profile")      \
  X(credit_risk, "code", "0 none, 1 watch, 2 downgraded, 3 distressed")                                \
  X(stage, "code", "1 nurturing, 2 initial, 3 developing, 4 strategic partner, 5 interrupted")         \
  X(has_profile, "0/1", "1 once the accounts topic described the account")                             \
  X(account_age_days, "days", "days since the account's first event")                                  \
  X(health_satisfaction, "score 0-100",                                                                \
    "cooperation satisfaction (合作满意度): CSAT, NPS, complaints, SLA")                               \
  X(health_value, "score 0-100",                                                                       \
    "value contribution (价值贡献度): last two quarters' amount vs the two before, 2 points per " \
    "1% lost")                                                                                         \
  X(health_risk, "score 0-100", "risk exposure (风险敞口): credit, people, meetings, references")      \
  X(health_score, "score 0-100", "weighted health: satisfaction, value and (100 - risk)")              \
  X(rfm_r, "score 1-5",                                                                                \
    "recency quintile of days_since_last_order against pyramid.params (5 = most recent; 1 "            \
    "without orders); NaN without pyramid.params")                                                     \
  X(rfm_f, "score 1-5",                                                                                \
    "frequency quintile of orders_365d against pyramid.params (5 = most); NaN without "                \
    "pyramid.params")                                                                                  \
  X(rfm_m, "score 1-5",                                                                                \
    "monetary quintile of amount_12m against pyramid.params (5 = most); NaN without "                  \
    "pyramid.params")                                                                                  \
  X(value_segment, "code",                                                                             \
    "customer value from rfm_r + rfm_f + rfm_m: 1 high (>= 12), 2 medium (8-11), 3 low; NaN "          \
    "without pyramid.params")                                                                          \
  X(strategic_fit, "code",                                                                             \
    "strategic fit: 1 high, 2 medium, 3 low, from stage, industry (pyramid.params' "                   \
    "strategic_industries) and an active executive contact")                                           \
  X(suggested_tier, "code",                                                                            \
    "the customer pyramid's tier for value_segment x strategic_fit (codes as tier); NaN without "      \
    "pyramid.params")                                                                                  \
  X(churn_risk, "probability",                                                                         \
    "learned probability that the account churns (the model of `churnwatch train`, config "            \
    "model.path); NaN without a model")
