#!/bin/sh
# One org's node in docker-compose.yml, driven only by the govfed CLI (the same steps as `govfed demo`).
#   docker-node.sh ORG JURISDICTION founder|member
# The founder creates the federation and invites the orgs that published their peer ids in /shared;
# members publish their peer id, wait for their invite in /shared, and join. Homes persist in volumes,
# so a restarted container rejoins nothing: it just starts its node again.
set -eu
ORG=$1
JUR=$2
ROLE=$3
HOME_DIR=${HOME_DIR:-/home/govfed}
SHARED=${SHARED:-/shared}
API=${API:-0.0.0.0:7370}
LOCAL_API=127.0.0.1:${API##*:}
LISTEN=${LISTEN:-/ip4/0.0.0.0/tcp/7371}
MEMBERS=${MEMBERS:-"us:US apac:SG"}
govfed() { node "$(dirname "$0")/../cli/govfed.ts" "$@"; }

if [ ! -f "$HOME_DIR/config.json" ]; then
  govfed init --home "$HOME_DIR" --org "$ORG" --jurisdiction "$JUR" --api "$API" \
    --listen "$LISTEN" --json > "$SHARED/$ORG.init.json"
fi
govfed start --home "$HOME_DIR" &
NODE=$!
trap 'kill -TERM $NODE; wait $NODE' TERM INT
until govfed status --home "$HOME_DIR" --api "$LOCAL_API" > /dev/null 2>&1; do sleep 1; done

peer_id() { sed -n 's/.*"peerId": *"\([^"]*\)".*/\1/p' "$SHARED/$1.init.json"; }
init_field() { sed -n "s/.*\"$2\": *\"\([^\"]*\)\".*/\1/p" "$SHARED/$1.init.json"; }

if govfed federation status --home "$HOME_DIR" --api "$LOCAL_API" --json | grep -q '"federated": true'; then
  :
elif [ "$ROLE" = founder ]; then
  govfed federation create --home "$HOME_DIR" --api "$LOCAL_API" --name "govfed compose federation" --policy-threshold 2
  version=1
  for m in $MEMBERS; do
    org=${m%%:*}
    jur=${m##*:}
    until [ -s "$SHARED/$org.init.json" ]; do sleep 1; done
    govfed federation invite --home "$HOME_DIR" --api "$LOCAL_API" --org "$org" --peer-id "$(peer_id "$org")" \
      --log-key "$(init_field "$org" verifierKey)" --witness-key "$(init_field "$org" witnessKey)" \
      --jurisdiction "$jur" --out "$SHARED/$org.invite.json.tmp"
    mv "$SHARED/$org.invite.json.tmp" "$SHARED/$org.invite.json"
    # one admission at a time: wait until the charter that admits the invitee is accepted
    version=$((version + 1))
    until govfed federation status --home "$HOME_DIR" --api "$LOCAL_API" --json | grep -q "\"charterVersion\": $version,"; do
      sleep 1
    done
  done
else
  until [ -s "$SHARED/$ORG.invite.json" ]; do sleep 1; done
  govfed federation join --home "$HOME_DIR" --api "$LOCAL_API" "$SHARED/$ORG.invite.json"
fi
govfed federation status --home "$HOME_DIR" --api "$LOCAL_API"
wait $NODE
