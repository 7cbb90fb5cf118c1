# govfed node image. The node@24 dependency brings Node 24, so any Node + npm base works.
FROM node:20-bookworm-slim
WORKDIR /opt/govfed
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY protocol ./protocol
COPY node ./node
COPY cli ./cli
COPY scripts/docker-node.sh ./scripts/docker-node.sh
ENV PATH=/opt/govfed/node_modules/.bin:$PATH
EXPOSE 7370 7371
ENTRYPOINT []
