#!/usr/bin/env bash
# The example CRM and service-desk exports of this folder as NDJSON events, with
# `churnwatch import csv --topic accounts|contacts|service` (README: "Importing CRM and
# service-desk exports"; tests/integration/crm_import_test.cc runs this script).
# Usage: deploy/examples/crm/import.sh [CHURNWATCH] [OUT_DIR]
#   defaults: build/bin/churnwatch, /tmp/crm; writes OUT_DIR/{accounts,contacts,service}.ndjson
set -euo pipefail
B=${1:-build/bin/churnwatch}
OUT=${2:-/tmp/crm}
D=$(dirname "$0")
mkdir -p "$OUT"

# 纷享销客-style customer list: Chinese headers and values, a byte order mark, no event ids.
"$B" import csv "$D/accounts.csv" --topic accounts --account 客户编号 --name 客户名称 \
  --tier 客户级别 --owner 负责人工号 --owner-name 负责人 --owner-email 负责人邮箱 --region 区域 \
  --industry 行业 --stage 合作阶段 --date 最后修改日期 \
  --map tier=战略级:STRATEGIC --map tier=重点:KEY --map tier=增长级:GROWTH \
  --map stage=战略合作伙伴:STRATEGIC_PARTNER --map stage=中期:DEVELOPING --map stage=初期:INITIAL \
  --out "$OUT/accounts.ndjson"

# Salesforce-style activity log: the activity id becomes the event id; a note spans two lines.
"$B" import csv "$D/contacts.csv" --topic contacts --event-id "Activity ID" --account "Account ID" \
  --date Date --kind "Activity Type" --meeting-type "Meeting Type" --contact-id "Contact ID" \
  --contact-role "Contact Role" --level "Contact Level" \
  --map kind=会议举行:MEETING_HELD --map kind=会议取消:MEETING_CANCELLED \
  --map kind=联系人离职:CONTACT_LEFT --map kind=新增联系人:CONTACT_ADDED --map kind=电话:CALL \
  --map kind=拜访:VISIT --map meeting-type=季度业务回顾:BUSINESS_REVIEW \
  --map contact-role=决策者:DECISION_MAKER --map contact-role=影响者:INFLUENCER \
  --map level=高层:EXECUTIVE --map level=中层:MANAGEMENT --out "$OUT/contacts.ndjson"

# Zendesk-style ticket log: the desk's own event and priority words mapped.
"$B" import csv "$D/service.csv" --topic service --ticket-id "Ticket ID" --account Organization \
  --date Created --kind Event --severity Priority --csat CSAT --nps NPS \
  --map kind=New:TICKET_OPENED --map kind=Escalated:TICKET_ESCALATED \
  --map kind=Solved:TICKET_RESOLVED --map "kind=SLA breach:SLA_BREACHED" \
  --map severity=Normal:MEDIUM --map severity=Urgent:CRITICAL --out "$OUT/service.ndjson"
