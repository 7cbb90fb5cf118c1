#!/bin/sh
# The homes of docker-compose.ha.yml's two govfed processes of one org, made with the govfed CLI only:
# the first with `govfed init --store … --shared`, the second from it with `govfed ha add-process`.
#   docker-ha-init.sh            (ORG, JURISDICTION, PG_URL, HOME_A, HOME_B from the environment)
# Each home is a directory inside its own volume (the volume's mount point itself exists, and add-process
# makes its home whole or not at all, so it must name a path that does not exist yet). Idempotent: a
# home that exists is kept, so re-running the stack changes nothing.
set -eu
ORG=${ORG:-acme}
JURISDICTION=${JURISDICTION:-ZZ}
HOME_A=${HOME_A:-/homes/a/home}
HOME_B=${HOME_B:-/homes/b/home}
: "${PG_URL:?PG_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE is required}"
govfed() { node "$(dirname "$0")/../cli/govfed.ts" "$@"; }

if [ ! -f "$HOME_A/config.json" ]; then
  # Inside its container each process listens on all interfaces (Docker forwards to it); the password
  # in PG_URL goes to keys/store.password (0600), never into config.json.
  govfed init --home "$HOME_A" --org "$ORG" --jurisdiction "$JURISDICTION" --api 0.0.0.0:7370 \
    --listen /ip4/0.0.0.0/tcp/7371 --store "$PG_URL" --shared
fi
if [ ! -f "$HOME_B/config.json" ]; then
  # Another container, so the same addresses inside it; copies keys/ (incl. store.password) and tokens.
  govfed ha add-process --from "$HOME_A" --home "$HOME_B" --api 0.0.0.0:7370 --listen /ip4/0.0.0.0/tcp/7371
fi
