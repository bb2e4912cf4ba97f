#!/usr/bin/env node
// Compiles the HTTP bindings of every AWS service into data/routes.json, the
// route table of the wire decoder (src/wire/): which service a SigV4 signing
// name stands for, its protocol, its JSON target prefix, and for REST
// services each operation's method, path template and the query/header
// markers that tell operations on the same path apart.
//
// Sources, newest first:
//   1. The schemas of the AWS SDK v3 clients this package installs
//      (@aws-sdk/client-s3, -ec2, -iam, -sts, -cloudtrail, -dynamodb, -lambda):
//      current operation lists and bindings, required members first.
//   2. The `aws-sdk` v2 package's apis/*.min.json (a devDependency): the
//      metadata of every service and the bindings of the services without a
//      v3 client here. Its models stopped with the v2 SDK's maintenance; a
//      newer operation of a REST service missing from it is not identified and
//      therefore blocked (fail closed).
//
// Table shape (compact on purpose; src/wire/routeTable.ts documents it):
//   { source, services: [ { id, signingName, endpointPrefix, protocol, apiVersion,
//       targetPrefix?, global?, operations: [name...], routes?: [[name, method, path, query[], headers[]]] } ] }
// Written after build-catalog.mjs, which replaces data/ as a whole.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const out = join(root, 'data', 'routes.json');

const v2Dir = join(dirname(require.resolve('aws-sdk/package.json')), 'apis');
const v2Version = JSON.parse(readFileSync(join(v2Dir, '..', 'package.json'), 'utf8')).version;

// uid -> latest model per service (the newest apiVersion of each endpoint prefix + service id).
const latest = new Map();
for (const file of readdirSync(v2Dir).sort()) {
  if (!file.endsWith('.min.json')) continue;
  const model = JSON.parse(readFileSync(join(v2Dir, file), 'utf8'));
  const meta = model.metadata;
  const key = `${meta.serviceId ?? meta.endpointPrefix}|${meta.endpointPrefix}`;
  const prev = latest.get(key);
  if (prev === undefined || prev.metadata.apiVersion < meta.apiVersion) latest.set(key, model);
}

/** `/{Bucket}/{Key+}?tagging&list-type=2` -> path and literal query markers; SDK-only `x-id` markers dropped. */
function splitUri(requestUri) {
  const [path, query = ''] = requestUri.split('?');
  const markers = query
    .split('&')
    .filter((part) => part !== '' && !part.startsWith('x-id='))
    .map((part) => (part.endsWith('=') ? part.slice(0, -1) : part));
  return { path: path === '' ? '/' : path, markers };
}

/** Required query and header members of a v2 input shape: they tell operations on one path apart. */
function v2Required(model, op) {
  const input = op.input;
  const shape = input?.shape !== undefined ? model.shapes?.[input.shape] : input;
  const query = [];
  const headers = [];
  if (shape?.members === undefined) return { query, headers };
  for (const name of shape.required ?? []) {
    const member = shape.members[name];
    if (member?.location === 'querystring') query.push(member.locationName ?? name);
    if (member?.location === 'header') headers.push((member.locationName ?? name).toLowerCase());
  }
  return { query, headers };
}

function routesOfV2(model) {
  const routes = [];
  for (const [name, op] of Object.entries(model.operations)) {
    const http = op.http ?? {};
    const { path, markers } = splitUri(http.requestUri ?? '/');
    const required = v2Required(model, op);
    routes.push([name, http.method ?? 'POST', path, [...new Set([...markers, ...required.query])], required.headers]);
  }
  return routes;
}

// The installed v3 clients, by v2 service id.
const V3_CLIENTS = {
  S3: '@aws-sdk/client-s3',
  EC2: '@aws-sdk/client-ec2',
  IAM: '@aws-sdk/client-iam',
  STS: '@aws-sdk/client-sts',
  CloudTrail: '@aws-sdk/client-cloudtrail',
  DynamoDB: '@aws-sdk/client-dynamodb',
  Lambda: '@aws-sdk/client-lambda',
};

function v3Operations(pkg, isS3) {
  const mod = require(pkg);
  const version = JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  const routes = [];
  for (const [key, schema] of Object.entries(mod)) {
    if (!key.endsWith('$') || !Array.isArray(schema) || schema[0] !== 9) continue;
    const name = schema[2];
    const traits = typeof schema[3] === 'object' && schema[3] !== null ? schema[3] : {};
    const input = typeof schema[4] === 'function' ? schema[4]() : undefined;
    const members = Array.isArray(input) ? input[4] : [];
    const memberSchemas = Array.isArray(input) ? input[5] : [];
    const requiredCount = Array.isArray(input) && typeof input[6] === 'number' ? input[6] : 0;
    const query = [];
    const headers = [];
    for (let i = 0; i < requiredCount; i++) {
      const memberTraits = Array.isArray(memberSchemas[i]) ? memberSchemas[i][1] : undefined;
      if (typeof memberTraits !== 'object' || memberTraits === null) continue;
      if (typeof memberTraits.httpQuery === 'string') query.push(memberTraits.httpQuery);
      if (typeof memberTraits.httpHeader === 'string') headers.push(memberTraits.httpHeader.toLowerCase());
    }
    if (Array.isArray(traits.http)) {
      const { path, markers } = splitUri(traits.http[1]);
      // The v3 S3 client puts the bucket in the host name; path-style requests carry it first.
      const bucketFirst = isS3 && Array.isArray(members) && members.includes('Bucket') && !path.startsWith('/{Bucket}');
      const fullPath = bucketFirst ? (path === '/' ? '/{Bucket}' : `/{Bucket}${path}`) : path;
      routes.push([name, traits.http[0], fullPath, [...new Set([...markers, ...query])], headers]);
    } else {
      routes.push([name]);
    }
  }
  routes.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { version, routes };
}

const services = [];
const sources = [`aws-sdk@${v2Version} apis`];
for (const model of [...latest.values()].sort((a, b) => (a.metadata.uid < b.metadata.uid ? -1 : 1))) {
  const meta = model.metadata;
  const rest = meta.protocol === 'rest-json' || meta.protocol === 'rest-xml';
  let routes = rest ? routesOfV2(model) : Object.keys(model.operations).map((name) => [name]);
  const client = V3_CLIENTS[meta.serviceId];
  if (client !== undefined && existsSync(join(root, 'node_modules', client))) {
    const v3 = v3Operations(client, meta.serviceId === 'S3');
    routes = v3.routes;
    sources.push(`${client}@${v3.version}`);
  }
  const entry = {
    id: meta.serviceId ?? meta.endpointPrefix,
    signingName: meta.signingName ?? meta.endpointPrefix,
    endpointPrefix: meta.endpointPrefix,
    protocol: meta.protocol,
    apiVersion: meta.apiVersion,
    ...(meta.targetPrefix === undefined ? {} : { targetPrefix: meta.targetPrefix }),
    ...(meta.jsonVersion === undefined ? {} : { jsonVersion: meta.jsonVersion }),
    ...(meta.globalEndpoint === undefined ? {} : { globalEndpoint: meta.globalEndpoint }),
    operations: routes.map((r) => r[0]),
    ...(rest ? { routes: routes.filter((r) => r.length > 1) } : {}),
  };
  services.push(entry);
}

// S3 operations that sign under names of their own: directory buckets (`s3express`: everything S3 has on a
// bucket, and ListDirectoryBuckets instead of ListBuckets on `/`) and Object Lambda's WriteGetObjectResponse.
const s3 = services.find((svc) => svc.id === 'S3');
if (s3 !== undefined) {
  const only = (keep) => {
    const routes = s3.routes.filter((r) => keep(r[0]));
    return { operations: routes.map((r) => r[0]), routes };
  };
  services.push({
    ...s3,
    id: 'S3 Express',
    signingName: 's3express',
    ...only((n) => n !== 'ListBuckets' && n !== 'WriteGetObjectResponse'),
  });
  services.push({
    ...s3,
    id: 'S3 Object Lambda',
    signingName: 's3-object-lambda',
    ...only((n) => n === 'WriteGetObjectResponse'),
  });
  Object.assign(
    s3,
    only((n) => n !== 'ListDirectoryBuckets' && n !== 'WriteGetObjectResponse'),
  );
}

const table = { source: sources.join(', '), services };
mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.tmp-${process.pid}`;
writeFileSync(tmp, JSON.stringify(table));
renameSync(tmp, out);
if (process.argv.includes('--verbose')) {
  const routes = services.reduce((n, s) => n + (s.routes?.length ?? 0), 0);
  console.log(`data/routes.json: ${services.length} services, ${routes} REST routes (${table.source})`);
}
