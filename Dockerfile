# govfed node image. The node@24 dependency brings Node 24, so any Node + npm base works.
FROM node:20-bookworm-slim
WORKDIR /opt/govfed
COPY package.json package-lock.json ./
# npm ci's prepare script builds the web console (scripts/build-console.ts: console/ and the protocol
# code it bundles → console/dist), so those come first.
COPY protocol ./protocol
COPY console ./console
COPY scripts/build-console.ts ./scripts/build-console.ts
RUN npm ci --omit=dev --no-audit --no-fund
COPY node ./node
COPY cli ./cli
# `govfed demo` and the compose federation read examples/ (the global baseline examples/policy/baseline.json).
COPY examples ./examples
COPY scripts/docker-node.sh ./scripts/docker-node.sh
# docker-compose.ha.yml: the homes of one org's two processes on PostgreSQL (govfed init --shared, ha add-process).
COPY scripts/docker-ha-init.sh ./scripts/docker-ha-init.sh
ENV PATH=/opt/govfed/node_modules/.bin:$PATH
# 7370: the HTTP API (plain HTTP: publish it on 127.0.0.1 and put a TLS-terminating reverse proxy in front
# of it for anything else — docs/operators-guide.md "Exposing a node"); 7371: libp2p.
EXPOSE 7370 7371
ENTRYPOINT []
