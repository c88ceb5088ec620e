// SPDX-License-Identifier: GPL-3.0-or-later
// Every request and answer of the test suites, checked against
// docs/openapi.yaml (as the JSON the build makes of it).
//
//   node check-exchanges.mjs --spec openapi.json [--api-md docs/api.md]
//        [--server BEATBOOK_SERVER] [--suite NAME PROGRAM LOG]...
//   node check-exchanges.mjs --self-test --spec openapi.json
//
// The servers the suites start append each exchange to LOG (one JSON
// object per line, see src/server/bb-server-exchange-log.c). A LOG that is
// missing, or older than its PROGRAM or the server, is made afresh by
// running PROGRAM with BEATBOOK_EXCHANGE_LOG set.
//
// An exchange fails when:
// - its path is one the server routes but the description lacks;
// - its method is not the path's, and the answer is not the 405 of
//   x-beatbook-unmatched; or the path is unknown and the answer is not 404;
// - its status is not among the operation's responses;
// - its answer's Content-Type, body or required headers break the response;
// - it was answered 2xx, yet the request lacked the operation's bearer
//   token, or its body or query parameters break the operation's schemas
//   (in a push, only the changes the server applied are held to the
//   schema: a refused change gets its own `rejected` result);
// and the run fails when an operation of the description was never
// exercised. docs/api.md's examples are checked the same way (see
// checkApiMd), so the page and the description cannot disagree.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
// Answers the server gives to any request before it routes it.
const ANY_REQUEST = { 413: 'PayloadTooLarge', 503: 'ShuttingDown' };

const ADD_AN_ENDPOINT =
  'A new endpoint goes into docs/openapi.yaml in the same commit as its handler: ' +
  'its path and method with an operationId, every status it answers with its schema, ' +
  'the headers that matter, and an example; then an example in docs/api.md ' +
  '(see the header of docs/openapi.yaml).';

function pointer(...parts) {
  return '/' + parts.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

function lookup(root, ptr) {
  return ptr.split('/').slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((n, key) => (n === undefined || n === null ? undefined : n[key]), root);
}

// ------------------------------------------------------------------------
// The description

export class Spec {
  constructor(doc) {
    this.doc = doc;
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(doc, 'openapi.json');
    this.validators = new Map();
    this.templates = Object.keys(doc.paths).map((template) => ({
      template,
      regex: new RegExp('^' + template.split(/(\{[^}]+\})/).map((part) =>
        part.startsWith('{') ? '([^/]+)' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('') + '$'),
      names: [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
    }));
    this.operations = [];
    for (const [template, item] of Object.entries(doc.paths))
      for (const method of METHODS)
        if (item[method])
          this.operations.push({ template, method, op: item[method],
                                 id: item[method].operationId || `${method.toUpperCase()} ${template}` });
  }

  // The same description with no key required: docs/api.md's examples may
  // leave keys out ("An answer may carry more keys than shown").
  get lenient() {
    if (!this._lenient) {
      // Conditions keep theirs: `not: {required: [server]}` is a rule.
      const strip = (node) => {
        if (Array.isArray(node))
          return node.map(strip);
        if (node && typeof node === 'object')
          return Object.fromEntries(Object.entries(node)
            .filter(([k, v]) => !(k === 'required' && Array.isArray(v)))
            .map(([k, v]) => [k, k === 'not' || k === 'if' ? v : strip(v)]));
        return node;
      };
      this._lenient = new Spec(strip(this.doc));
    }
    return this._lenient;
  }

  // (the validator of the schema at JSON pointer @ptr of the document)
  validator(ptr) {
    if (!this.validators.has(ptr)) {
      const fn = this.ajv.getSchema('openapi.json#' + ptr);
      if (!fn)
        throw new Error(`docs/openapi.yaml has no schema at ${ptr}`);
      this.validators.set(ptr, fn);
    }
    return this.validators.get(ptr);
  }

  // Follows a $ref (a response, parameter, header) to its target and its pointer.
  resolve(ptr) {
    let node = lookup(this.doc, ptr);
    for (let i = 0; node && typeof node.$ref === 'string' && i < 10; i++) {
      ptr = node.$ref.slice(1);
      node = lookup(this.doc, ptr);
    }
    return { node, ptr };
  }

  match(path) {
    for (const t of this.templates) {
      const m = t.regex.exec(path);
      if (m)
        return { template: t.template, params: Object.fromEntries(t.names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
    }
    return null;
  }
}

// ------------------------------------------------------------------------
// Validation, with docs/api.md's conventions in page mode

function isPlaceholder(value) {
  return typeof value === 'string' && (/^<.*>$/s.test(value) || /^\$[A-Z_][A-Z0-9_]*$/.test(value));
}

// The page's "..." at the end of a list means "and more": drop it.
function dropEllipses(value) {
  if (Array.isArray(value))
    return value.filter((v, i) => !(i === value.length - 1 && v === '...')).map(dropEllipses);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dropEllipses(v)]));
  return value;
}

const COMPOUND = new Set(['if', 'anyOf', 'oneOf']);

// Problems of @data against the schema at @ptr. In page mode, values the
// page leaves open ("<time>", "$TOKEN") and keys it leaves out pass.
function validate(spec, ptr, data, { page = false, omissions = page } = {}) {
  const fn = (page && omissions ? spec.lenient : spec).validator(ptr);
  if (page)
    data = dropEllipses(data);
  if (fn(data))
    return [];
  let errors = fn.errors;
  if (page) {
    // A placeholder the real exchange did not fill in (see fillIn).
    errors = errors.filter((e) => !isPlaceholder(lookup(data, e.instancePath)));
    // Branch failures say nothing of their own: their leaves do.
    if (errors.every((e) => COMPOUND.has(e.keyword)))
      errors = [];
  }
  const seen = new Set();
  return errors
    .filter((e) => !COMPOUND.has(e.keyword) || errors.length === 1)
    .map((e) => {
      const extra = e.params && (e.params.unevaluatedProperty || e.params.additionalProperty ||
                                 e.params.allowedValues || e.params.missingProperty);
      return `${e.instancePath || '(the body)'} ${e.message}${extra ? ` (${JSON.stringify(extra)})` : ''}`;
    })
    .filter((text) => !seen.has(text) && seen.add(text))
    .slice(0, 8);
}

function contentType(headers) {
  const value = headers && headers['content-type'];
  return value ? value.split(';')[0].trim().toLowerCase() : null;
}

// The response object of @status (or "default") at @opPtr, resolved.
function responseFor(spec, opPtr, status) {
  const responses = lookup(spec.doc, opPtr + '/responses') || {};
  for (const key of [String(status), `${String(status)[0]}XX`, 'default'])
    if (responses[key])
      return spec.resolve(opPtr + pointer('responses', key));
  return null;
}

function checkResponse(spec, response, ex, page, problems) {
  const { node, ptr } = response;
  const headers = ex.response.headers || {};
  const body = ex.response.body;

  if (!page) {
    for (const [name, header] of Object.entries(node.headers || {})) {
      const resolved = spec.resolve(ptr + pointer('headers', name));
      const value = headers[name.toLowerCase()];
      if (value === undefined) {
        if (resolved.node.required)
          problems.push(`the answer lacks the header ${name}`);
        continue;
      }
      if (resolved.node.schema)
        for (const p of validate(spec, resolved.ptr + '/schema', value))
          problems.push(`header ${name}: ${JSON.stringify(value)}: ${p}`);
    }
  }

  if (!node.content) {
    if (ex.response.body_bytes > 0)
      problems.push(`the answer has a body (${ex.response.body_bytes} bytes), the description none`);
    return;
  }
  const type = contentType(headers);
  if (!page && !node.content[type]) {
    problems.push(`the answer's Content-Type is ${type}, the description's ${Object.keys(node.content).join(', ')}`);
    return;
  }
  const media = node.content[type] ? type : Object.keys(node.content)[0];
  if (!node.content[media].schema)
    return;
  if (ex.response.body_not_logged)
    return;
  if (body === null || body === undefined) {
    if (!page || ex.response.body_bytes > 0)
      problems.push('the answer has no JSON body');
    return;
  }
  for (const p of validate(spec, ptr + pointer('content', media, 'schema'), body, { page }))
    problems.push(`answer ${p}`);
}

// Which changes of a push the server applied, duplicated or found in
// conflict: those must be well formed. A refused one may be anything.
function heldChanges(requestBody, responseBody) {
  if (!requestBody || !Array.isArray(requestBody.changes) || !responseBody || !Array.isArray(responseBody.results))
    return requestBody;
  return {
    ...requestBody,
    changes: requestBody.changes.filter((c, i) => responseBody.results[i] && responseBody.results[i].status !== 'rejected'),
  };
}

function checkRequest(spec, opPtr, op, ex, params, page, problems) {
  const headers = ex.request.headers || {};
  const security = op.security !== undefined ? op.security : (spec.doc.security || []);
  const needsToken = security.length > 0 && !security.some((s) => Object.keys(s).length === 0);

  if (needsToken && headers.authorization !== 'Bearer')
    problems.push('answered 2xx without the bearer token the operation requires');

  // Path and query parameters.
  const declared = [...(lookup(spec.doc, pointer('paths', ex.template, 'parameters')) || []).map((p, i) =>
    spec.resolve(pointer('paths', ex.template, 'parameters', i))),
  ...(op.parameters || []).map((p, i) => spec.resolve(opPtr + pointer('parameters', i)))];
  const query = new URLSearchParams(ex.query || '');
  for (const { node, ptr } of declared) {
    const raw = node.in === 'path' ? params[node.name] : node.in === 'query' ? query.get(node.name) : undefined;
    if (raw === undefined || raw === null) {
      if (node.required && node.in !== 'header')
        problems.push(`the ${node.in} parameter ${node.name} is required`);
      continue;
    }
    const schema = spec.resolve(ptr + '/schema');
    const type = schema.node && (schema.node.type || (spec.resolve(schema.ptr).node || {}).type);
    const value = type === 'integer' || type === 'number' ? (/^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw) : raw;
    for (const p of validate(spec, ptr + '/schema', value, { page }))
      problems.push(`${node.in} parameter ${node.name}=${JSON.stringify(raw)}: ${p}`);
  }
  if (!page)
    for (const name of query.keys())
      if (!declared.some(({ node }) => node.in === 'query' && node.name === name))
        problems.push(`the query parameter ${name} is not described`);

  const requestBody = op.requestBody ? spec.resolve(opPtr + '/requestBody') : null;
  if (!requestBody)
    return;
  if (ex.request.body_bytes === 0) {
    if (requestBody.node.required)
      problems.push('answered 2xx to a request without the required body');
    return;
  }
  const type = contentType(headers);
  if (!requestBody.node.content[type]) {
    problems.push(`answered 2xx to a body of Content-Type ${type}, the description takes ${Object.keys(requestBody.node.content).join(', ')}`);
    return;
  }
  if (ex.request.body_not_logged)
    return;
  const body = ex.template === '/api/v1/sync/push' ? heldChanges(ex.request.body, ex.response.body) : ex.request.body;
  for (const p of validate(spec, requestBody.ptr + pointer('content', type, 'schema'), body, { page, omissions: false }))
    problems.push(`request ${p}`);
}

// Checks one exchange; returns its problems and the operation it exercised.
export function checkExchange(spec, ex, { page = false } = {}) {
  const problems = [];
  const method = ex.method.toLowerCase();
  const matched = spec.match(ex.path);

  if (!matched) {
    if (ex.route)
      return { problems: [`the server answers ${ex.route}, which docs/openapi.yaml lacks. ${ADD_AN_ENDPOINT}`] };
    const status = String(ex.status);
    const ptr = ANY_REQUEST[status] ? pointer('components', 'responses', ANY_REQUEST[status])
      : status === '404' ? pointer('x-beatbook-unmatched', 'unknown-path') : null;
    if (!ptr)
      return { problems: [`an unknown path answered ${ex.status}; the description says 404 not_found`] };
    checkResponse(spec, spec.resolve(ptr), ex, page, problems);
    return { problems };
  }

  ex.template = matched.template;
  if (ex.route && ex.route !== matched.template && !page)
    problems.push(`the server routed it as ${ex.route}, the description as ${matched.template}`);

  const item = spec.doc.paths[matched.template];
  const opMethod = item[method] ? method : method === 'head' && item.get ? 'get' : null;
  if (!opMethod) {
    const status = String(ex.status);
    if (ANY_REQUEST[status]) {
      checkResponse(spec, spec.resolve(pointer('components', 'responses', ANY_REQUEST[status])), ex, page, problems);
      return { problems };
    }
    if (status !== '405')
      return { problems: [`${ex.method} is not a method of ${matched.template} in the description, yet it answered ${ex.status}. ${ex.status < 400 ? ADD_AN_ENDPOINT : ''}`] };
    checkResponse(spec, spec.resolve(pointer('x-beatbook-unmatched', 'unknown-method')), ex, page, problems);
    if (!page) {
      const allow = (ex.response.headers.allow || '').split(',').map((m) => m.trim().toLowerCase()).filter(Boolean).sort();
      const want = [...new Set(METHODS.filter((m) => item[m]).flatMap((m) => (m === 'get' ? ['get', 'head'] : [m])))].sort();
      if (allow.join() !== want.join())
        problems.push(`Allow: ${ex.response.headers.allow} but the path's methods are ${want.join(', ').toUpperCase()}`);
    }
    return { problems };
  }

  const op = item[opMethod];
  const opPtr = pointer('paths', matched.template, opMethod);
  const operation = spec.operations.find((o) => o.template === matched.template && o.method === opMethod);
  const response = responseFor(spec, opPtr, ex.status);
  if (!response) {
    problems.push(`answered ${ex.status}, which ${operation.id} does not list (it lists ${Object.keys(op.responses).join(', ')})`);
    return { problems, operation };
  }
  checkResponse(spec, response, ex, page, problems);
  if (ex.status >= 200 && ex.status < 300)
    checkRequest(spec, opPtr, op, ex, matched.params, page, problems);
  return { problems, operation };
}

// ------------------------------------------------------------------------
// docs/api.md

function shellWords(text) {
  const words = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m;
  while ((m = re.exec(text)) !== null)
    words.push(m[1] ?? (m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]));
  return words;
}

// The page's examples as exchanges, and its error-code table.
export function readApiMd(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('```'))
      continue;
    const lang = lines[i].slice(3).trim();
    const start = i + 1;
    while (++i < lines.length && !lines[i].startsWith('```'))
      ;
    blocks.push({ lang, line: start, text: lines.slice(start, i).join('\n') });
  }

  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const exchanges = [];
  const errorExamples = [];
  let pending = null;
  for (const b of blocks) {
    if (b.lang === 'json') {
      errorExamples.push({ line: b.line, body: JSON.parse(b.text) });
    } else if (b.lang === 'sh') {
      const src = b.text.replace(/\\\n/g, ' ').split('\n');
      for (let i = 0; i < src.length; i++) {
        const line = src[i].trim();
        if (!line.startsWith('curl '))
          continue;
        let body = null;
        if (line.includes('<<EOF')) {
          const doc = [];
          while (++i < src.length && src[i] !== 'EOF')
            doc.push(src[i]);
          body = doc.join('\n');
        }
        const words = shellWords(line.replace(/<<EOF.*/, ''));
        const req = { line: b.line, method: null, url: null, headers: {}, body };
        for (let w = 1; w < words.length; w++) {
          if (words[w] === '-X')
            req.method = words[++w];
          else if (words[w] === '-H') {
            const [name, ...rest] = words[++w].split(':');
            req.headers[name.trim().toLowerCase()] = rest.join(':').trim();
          } else if (words[w] === '-d' || words[w] === '--data' || words[w] === '--data-binary') {
            const v = words[++w];
            if (v !== '@-')
              req.body = v;
          } else if (/^https?:\/\//.test(words[w]))
            req.url = words[w];
        }
        req.method = req.method || (req.body !== null ? 'POST' : 'GET');
        pending = req;
      }
    } else if (b.lang === 'http' && pending) {
      const [head, ...rest] = b.text.split('\n\n');
      const status = Number(head.split('\n')[0].split(' ')[1]);
      const headers = {};
      for (const h of head.split('\n').slice(1)) {
        const [name, ...value] = h.split(':');
        headers[name.trim().toLowerCase()] = value.join(':').trim();
      }
      const bodyText = rest.join('\n\n').trim();
      const url = new URL(pending.url);
      const requestText = pending.body && pending.body
        .replace(/\$\(date -u [^)]*\)/g, now);
      let requestBody = null;
      const requestType = (pending.headers['content-type'] || 'application/json').split(';')[0].trim();
      // An evidence file is sent as its bytes, not JSON.
      if (requestText)
        requestBody = requestType === 'application/json' ? JSON.parse(requestText) : null;
      const auth = pending.headers.authorization;
      exchanges.push({
        source: `docs/api.md:${pending.line}`,
        method: pending.method,
        path: decodeURIComponent(url.pathname),
        query: url.search.slice(1) || null,
        route: null,
        status,
        request: {
          headers: { ...pending.headers, authorization: auth && /^Bearer \S/.test(auth) ? 'Bearer' : auth },
          body: requestBody,
          body_bytes: requestText ? requestText.length : 0,
          ...(requestText && requestBody === null ? { body_not_logged: 'not JSON' } : {}),
        },
        response: (headers['content-type'] || 'application/json').split(';')[0].trim() === 'application/json'
          ? { headers, body: bodyText ? JSON.parse(bodyText) : null, body_bytes: bodyText.length }
          : { headers, body: null, body_bytes: bodyText.length, body_not_logged: 'not JSON' },
      });
      pending = null;
    }
  }

  // | status | code | when | rows of the Errors section
  const codes = [];
  const errors = text.split('\n### Errors')[1];
  if (errors)
    for (const row of errors.split('\n## ')[0].matchAll(/^\|\s*(\d{3})\s*\|\s*`([a-z_]+)`\s*\|/gm))
      codes.push({ status: Number(row[1]), code: row[2] });
  return { exchanges, errorExamples, codes };
}

// The page's example with its placeholders ("<time>", "$TOKEN") replaced
// by what the server really answered there, so that the example can be
// held to the schema: test-api-docs already holds the rest of it to the
// real answer.
function fillIn(page, real) {
  if (isPlaceholder(page))
    return real === undefined ? page : real;
  if (Array.isArray(page)) {
    const shown = dropEllipses(page);
    return shown.map((v, i) => fillIn(v, Array.isArray(real) ? real[i] : undefined));
  }
  if (page && typeof page === 'object')
    return Object.fromEntries(Object.entries(page).map(([k, v]) =>
      [k, fillIn(v, real && typeof real === 'object' ? real[k] : undefined)]));
  return page;
}

function checkApiMd(spec, text, report, docsLog) {
  const { exchanges, errorExamples, codes } = readApiMd(text);
  const seen = new Set();
  if (docsLog) {
    // test-api-docs runs the page's requests in order, and only those.
    if (docsLog.length !== exchanges.length)
      report(`docs/api.md has ${exchanges.length} examples, test-api-docs logged ${docsLog.length} exchanges: they must pair up`);
    else
      exchanges.forEach((ex, i) => {
        const real = docsLog[i];
        if (real.method !== ex.method || real.status !== ex.status) {
          report(`${ex.source}: the example is ${ex.method} ${ex.path} → ${ex.status}, test-api-docs' exchange ${i + 1} ${real.method} ${real.path} → ${real.status}`);
          return;
        }
        ex.request.body = fillIn(ex.request.body, real.request.body);
        ex.response.body = fillIn(ex.response.body, real.response.body);
        ex.query = real.query;
        ex.path = real.path;
      });
  }
  for (const ex of exchanges) {
    const { problems, operation } = checkExchange(spec, ex, { page: true });
    if (operation)
      seen.add(operation.id);
    for (const p of problems)
      report(`${ex.source}: ${ex.method} ${ex.path} → ${ex.status}: ${p}`);
  }
  for (const { line, body } of errorExamples)
    for (const p of validate(spec, pointer('components', 'schemas', 'Error'), body, { page: true, omissions: false }))
      report(`docs/api.md:${line}: this error example breaks the Error schema: ${p}`);

  for (const { id, method, template } of spec.operations)
    if (!seen.has(id))
      report(`docs/api.md has no example of ${id} (${method.toUpperCase()} ${template}), which docs/openapi.yaml describes: add one (curl and its answer)`);

  const enumCodes = lookup(spec.doc, pointer('components', 'schemas', 'ErrorCode', 'enum')) || [];
  const tableCodes = codes.map((c) => c.code);
  for (const c of tableCodes)
    if (!enumCodes.includes(c))
      report(`docs/api.md's error table has ${c}, which ErrorCode in docs/openapi.yaml lacks`);
  for (const c of enumCodes)
    if (!tableCodes.includes(c))
      report(`ErrorCode in docs/openapi.yaml has ${c}, which docs/api.md's error table lacks`);
  if (tableCodes.length === 0)
    report("docs/api.md's error table (### Errors) was not found");
  return exchanges.length;
}

// ------------------------------------------------------------------------
// The suites' logs

function readLog(path) {
  const exchanges = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim())
      exchanges.push({ ...JSON.parse(line), source: `${basename(path)}:${i + 1}` });
  });
  return exchanges;
}

function freshLog(suite, server) {
  if (!existsSync(suite.log))
    return false;
  const logTime = statSync(suite.log).mtimeMs;
  return logTime >= statSync(suite.program).mtimeMs && (!server || logTime >= statSync(server).mtimeMs);
}

function runSuite(suite) {
  console.log(`# ${suite.name}: its log is missing or older than the programs; running it`);
  const result = spawnSync(suite.program, [], {
    env: { ...process.env, BEATBOOK_EXCHANGE_LOG: suite.log },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    process.stderr.write(result.stderr.slice(-4000));
    return false;
  }
  return true;
}

// ------------------------------------------------------------------------
// The checker's own test: it must fail on what the description forbids.

function selfTest(spec) {
  const ok = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  const user = { id: 'u1', username: 'pcso4521', display_name: 'PCSO 4521', role: 'officer', staff_number: '4521' };
  const good = {
    method: 'GET', path: '/healthz', route: '/healthz', query: null, status: 200,
    request: { headers: {}, body: null, body_bytes: 0 },
    response: { headers: ok, body: { status: 'ok' }, body_bytes: 16 },
  };
  const change = { id: '3f6d2a1e-8b4c-4d2f-9a7e-5c1b0e9d4a21', kind: 'vawg_walk', rev: 1, base_rev: 0, deleted: false,
                   occurred_at: '2026-03-01T21:14:00Z', priority: 1, fields: { ward: 'town', walk_type: 'buddy_walk' } };
  const push = (fields, status) => ({
    method: 'POST', path: '/api/v1/sync/push', route: '/api/v1/sync/push', query: null, status: 200,
    request: { headers: { authorization: 'Bearer', 'content-type': 'application/json' },
               body: { device_id: 'd', changes: [{ ...change, fields }] }, body_bytes: 100 },
    response: { headers: ok, body: { results: [{ id: change.id, status, rev: status === 'rejected' ? 0 : 1, seq: status === 'rejected' ? 0 : 5,
                                                  ...(status === 'rejected' ? { error: { code: 'invalid_field', message: 'm', field: 'colur' } } : {}) }] },
                body_bytes: 100 },
  });
  const with_ = (base, change) => structuredClone({ ...base, ...change });

  const cases = [
    ['a described answer passes', good, null],
    ['an answer whose body breaks the schema fails', with_(good, { response: { headers: ok, body: { status: 'fine' }, body_bytes: 18 } }), 'answer /status'],
    ['a status the operation does not list fails', with_(good, { status: 418 }), 'answered 418'],
    ['a missing required header fails', with_(good, { response: { headers: { 'content-type': 'application/json' }, body: { status: 'ok' }, body_bytes: 16 } }), 'lacks the header Cache-Control'],
    ['a wrong Content-Type fails', with_(good, { response: { headers: { ...ok, 'content-type': 'text/plain' }, body: { status: 'ok' }, body_bytes: 16 } }), 'Content-Type is text/plain'],
    ['an enum value the description lacks fails',
     { method: 'POST', path: '/api/v1/sessions', route: '/api/v1/sessions', query: null, status: 201,
       request: { headers: { 'content-type': 'application/json' }, body: { username: 'a', password: 'b' }, body_bytes: 20 },
       response: { headers: ok, body: { token: 'x'.repeat(43), expires_at: '2026-03-31T21:00:00Z',
                                        device_id: '7c1e4b52-9d3a-4f08-b6e2-5a9c0d1f3e74', user: { ...user, role: 'chief' } }, body_bytes: 200 } },
     'answer /user/role must be equal to one of the allowed values'],
    ['2xx without the bearer token fails',
     { method: 'GET', path: '/api/v1/me', route: '/api/v1/me', query: null, status: 200,
       request: { headers: {}, body: null, body_bytes: 0 },
       response: { headers: ok, body: { user, device: { id: '7c1e4b52-9d3a-4f08-b6e2-5a9c0d1f3e74', name: 'x' }, wipe: false }, body_bytes: 100 } },
     'without the bearer token'],
    ['an applied change with an unknown field fails', push({ ward: "town", walk_type: "buddy_walk", colur: "red" }, "applied"), "additional properties (\"colur\")"],
    ['a rejected change with an unknown field passes', push({ ward: 'town', walk_type: 'buddy_walk', colur: 'red' }, 'rejected'), null],
    ['a query parameter out of range on a 2xx fails',
     { method: 'GET', path: '/api/v1/audit', route: '/api/v1/audit', query: 'since=0&limit=5000', status: 200,
       request: { headers: { authorization: 'Bearer' }, body: null, body_bytes: 0 },
       response: { headers: ok, body: { entries: [], next: 0, more: false }, body_bytes: 40 } },
     'limit="5000"'],
    ['a path the server routes but the description lacks fails, saying what to do',
     { ...good, method: 'PUT', path: '/api/v1/exports/abc', route: '/api/v1/exports/{id}', status: 201 },
     'goes into docs/openapi.yaml'],
    ['a 405 without Allow fails',
     { ...good, method: 'GET', path: '/api/v1/sync/push', route: '/api/v1/sync/push', status: 405,
       response: { headers: ok, body: { error: { code: 'method_not_allowed', message: 'm' } }, body_bytes: 60 } },
     'lacks the header Allow'],
    ['an unknown path answering 200 fails', { ...good, path: '/api/v1/reports', route: null }, 'unknown path answered 200'],
    ['an error code the status does not take fails',
     { ...good, path: '/api/v1/me', route: '/api/v1/me', status: 401,
       response: { headers: ok, body: { error: { code: 'forbidden', message: 'm' } }, body_bytes: 60 } },
     'answer /error/code'],
    ['page mode lets placeholders and omitted keys pass', { ...push({ ward: 'town', walk_type: 'buddy_walk' }, 'applied'),
      response: { headers: ok, body: { results: [{ id: '$ID', status: 'applied', seq: '<seq>' }] }, body_bytes: 1 }, page: true }, null],
    ['page mode still fails on a key the schema forbids', { ...good, page: true,
      response: { headers: ok, body: { status: 'ok', uptime: '<seconds>' }, body_bytes: 1 } }, 'unevaluatedProperty\\|additionalProperty\\|additional properties'],
  ];

  let failures = 0;
  for (const [name, ex, expected] of cases) {
    const { problems } = checkExchange(spec, structuredClone(ex), { page: !!ex.page });
    const text = problems.join('\n');
    const passed = expected === null ? problems.length === 0
      : expected.split('\\|').some((e) => text.includes(e));
    console.log(`${passed ? 'ok' : 'not ok'} - ${name}${passed ? '' : `\n#   expected ${expected === null ? 'no problem' : JSON.stringify(expected)}, got: ${text || 'no problem'}`}`);
    if (!passed)
      failures++;
  }

  // Coverage: a run that exercised only the health check must fail.
  const missing = spec.operations.filter((o) => o.id !== 'getHealth').length;
  console.log(`${missing > 0 ? 'ok' : 'not ok'} - a run that exercises one operation leaves ${missing} unexercised`);
  if (missing === 0)
    failures++;

  // The page reader finds the page's examples and the error table.
  const page = readApiMd('\n### Errors\n\n| status | code | when |\n| --- | --- | --- |\n| 404 | `not_found` | x |\n\n## Next\n\n' +
    '```sh\ncurl -i http://127.0.0.1:8080/healthz\n```\n\n```http\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n{"status": "down"}\n```\n');
  const pageProblems = page.exchanges.flatMap((ex) => checkExchange(spec, ex, { page: true }).problems);
  const pageOk = page.exchanges.length === 1 && page.codes.length === 1 && pageProblems.length === 1;
  console.log(`${pageOk ? 'ok' : 'not ok'} - a page example that breaks the description fails (${pageProblems.join('; ')})`);
  if (!pageOk)
    failures++;

  console.log(`${cases.length + 2 - failures} passed, ${failures} failed`);
  return failures === 0;
}

// ------------------------------------------------------------------------

function main(argv) {
  const args = { suites: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--spec') args.spec = argv[++i];
    else if (argv[i] === '--api-md') args.apiMd = argv[++i];
    else if (argv[i] === '--server') args.server = argv[++i];
    else if (argv[i] === '--self-test') args.selfTest = true;
    else if (argv[i] === '--suite') args.suites.push({ name: argv[++i], program: argv[++i], log: argv[++i] });
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  const spec = new Spec(JSON.parse(readFileSync(args.spec, 'utf8')));
  if (args.selfTest)
    return selfTest(spec) ? 0 : 1;

  let failures = 0;
  const report = (text) => {
    failures++;
    if (failures <= 200)
      console.log(`not ok: ${text}`);
  };

  const exercised = new Map();
  let total = 0;
  for (const suite of args.suites) {
    if (!freshLog(suite, args.server) && !runSuite(suite)) {
      report(`${suite.name} failed while making its exchange log: fix that suite first`);
      continue;
    }
    const exchanges = readLog(suite.log);
    if (exchanges.length === 0)
      report(`${suite.name} logged no exchange: its servers do not see BEATBOOK_EXCHANGE_LOG`);
    for (const ex of exchanges) {
      const { problems, operation } = checkExchange(args.spec && spec, ex);
      if (operation)
        exercised.set(operation.id, (exercised.get(operation.id) || 0) + 1);
      for (const p of problems)
        report(`${ex.source}: ${ex.method} ${ex.path}${ex.query ? '?' + ex.query : ''} → ${ex.status}: ${p}`);
    }
    console.log(`# ${suite.name}: ${exchanges.length} exchanges checked`);
    total += exchanges.length;
  }

  if (args.suites.length > 0)
    for (const { id, method, template } of spec.operations)
      if (!exercised.has(id))
        report(`no test exercises ${id} (${method.toUpperCase()} ${template}): every operation of docs/openapi.yaml ` +
               'needs a request in tests/server/test-api*.c or tests/sync whose answer is checked. ' + ADD_AN_ENDPOINT);

  let pageExamples = 0;
  if (args.apiMd) {
    const docsSuite = args.suites.find((suite) => suite.name === 'test-api-docs');
    const docsLog = docsSuite && existsSync(docsSuite.log) ? readLog(docsSuite.log) : null;
    pageExamples = checkApiMd(spec, readFileSync(args.apiMd, 'utf8'), report, docsLog);
  }

  console.log(`# ${total} exchanges of ${args.suites.length} programs, ${pageExamples} examples of docs/api.md; ` +
              `operations exercised: ${[...exercised].map(([id, n]) => `${id} ${n}`).join(', ')}`);
  if (failures > 200)
    console.log(`# ... and ${failures - 200} more`);
  console.log(failures === 0 ? 'ok: every exchange is as docs/openapi.yaml describes' : `${failures} problems`);
  return failures === 0 ? 0 : 1;
}

process.exit(main(process.argv.slice(2)));
