#!/usr/bin/env bash
# demo-token.sh - print a token for Depot's demo user, signed with a local key.
#
#   scripts/demo-token.sh --key PRIVATE.pem [--tool depot-token] [--domain D] [--audience A]
#                         [--ttl SECONDS]
#
# The demo user is cms_users 8 ("Demo Coordinator"), organisation 1, coordinator of base 1
# with every read and write permission boxtribute's coordinators have there, beta level 99.
# Defaults: --tool depot-token (on PATH), --domain depot-demo.local, --audience depot-demo,
# --ttl 604800 (7 days). Used by scripts/run.sh and by compose's demo-keys job.
set -euo pipefail
key=""; tool=depot-token; domain=depot-demo.local; audience=depot-demo; ttl=604800
while [ $# -gt 0 ]; do
    case "$1" in
        --key) key=${2:?}; shift 2 ;;
        --tool) tool=${2:?}; shift 2 ;;
        --domain) domain=${2:?}; shift 2 ;;
        --audience) audience=${2:?}; shift 2 ;;
        --ttl) ttl=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "demo-token.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[ -n "$key" ] || { echo "demo-token.sh: --key PRIVATE.pem is required" >&2; exit 2; }
perms=""
for p in stock:read stock:write location:read product:read product:write tag:read tag:write \
         tag_relation:read tag_relation:assign base:read history:read qr:read qr:create \
         shipment:read shipment:create shipment:edit shipment:delete shipment_detail:read \
         transfer_agreement:read transfer_agreement:create transfer_agreement:edit \
         transfer_agreement:delete beneficiary:read beneficiary:create beneficiary:edit \
         beneficiary:delete beneficiary_language:read transaction:read user:read \
         organisation:read size:read size_range:read unit:read product_category:read \
         standard_product:read box_state:read gender:read language:read \
         distro_event:read distro_event:write; do
    perms="${perms:+$perms,}base_1/$p"
done
exec "$tool" --key "$key" --sub "auth0|8" --domain "$domain" --audience "$audience" \
     --ttl "$ttl" --org 1 --base-ids 1 --roles base_1_coordinator --permissions "$perms" --beta 99
