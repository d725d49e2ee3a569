// Structural checks of an OpenAPI 3.0.3 document. No OpenAPI validator package is installed in this workspace, so this
// checks what the specification requires of the parts Drover produces: paths and path parameters, operations,
// responses, request bodies, parameters, $refs, security requirements, and 3.0 (not 2020-12 JSON Schema) schemas.
type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SCHEMA_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);
/** JSON Schema keywords that OpenAPI 3.0 schema objects do not allow. */
const NOT_IN_OAS30 = [
  'const',
  '$schema',
  '$id',
  'prefixItems',
  'unevaluatedProperties',
  'dependentSchemas',
  '$defs',
  'if',
  'then',
  'else',
];
const STATUS = /^([1-5]\d\d|[1-5]XX|default)$/;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function openApiProblems(doc: Json): string[] {
  const problems: string[] = [];
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`);

  if (doc.openapi !== '3.0.3') fail('openapi', `expected 3.0.3, got ${String(doc.openapi)}`);
  const info = doc.info;
  if (!isObj(info) || typeof info.title !== 'string' || typeof info.version !== 'string') {
    fail('info', 'title and version are required strings');
  }
  const components = isObj(doc.components) ? doc.components : {};
  const schemes = isObj(components.securitySchemes) ? components.securitySchemes : {};
  const checkSecurity = (where: string, sec: unknown) => {
    if (sec === undefined) return;
    if (!Array.isArray(sec)) return fail(where, 'security must be an array');
    for (const req of sec) {
      if (!isObj(req)) fail(where, 'security requirement must be an object');
      else for (const name of Object.keys(req)) if (!(name in schemes)) fail(where, `unknown security scheme ${name}`);
    }
  };
  checkSecurity('security', doc.security);

  const resolveRef = (ref: string): boolean => {
    if (!ref.startsWith('#/')) return false;
    let node: unknown = doc;
    for (const part of ref.slice(2).split('/')) {
      if (!isObj(node)) return false;
      node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node !== undefined;
  };

  const checkSchema = (where: string, s: unknown): void => {
    if (!isObj(s)) return void fail(where, 'schema must be an object');
    if (typeof s.$ref === 'string') {
      if (!resolveRef(s.$ref)) fail(where, `unresolved $ref ${s.$ref}`);
      return;
    }
    if (s.type !== undefined && (typeof s.type !== 'string' || !SCHEMA_TYPES.has(s.type))) {
      fail(where, `invalid type ${JSON.stringify(s.type)}`);
    }
    for (const k of NOT_IN_OAS30) if (k in s) fail(where, `keyword ${k} is not allowed in OpenAPI 3.0`);
    for (const k of ['exclusiveMinimum', 'exclusiveMaximum']) {
      if (k in s && typeof s[k] !== 'boolean') fail(where, `${k} must be a boolean in OpenAPI 3.0`);
    }
    if ('nullable' in s && typeof s.nullable !== 'boolean') fail(where, 'nullable must be a boolean');
    if (s.type === 'array' && s.items === undefined) fail(where, 'arrays need items');
    if (s.items !== undefined) checkSchema(`${where}.items`, s.items);
    if (isObj(s.properties))
      for (const [k, v] of Object.entries(s.properties)) checkSchema(`${where}.properties.${k}`, v);
    if (isObj(s.additionalProperties)) checkSchema(`${where}.additionalProperties`, s.additionalProperties);
    for (const k of ['allOf', 'anyOf', 'oneOf']) {
      const list = s[k];
      if (list === undefined) continue;
      if (!Array.isArray(list) || list.length === 0) fail(where, `${k} must be a non-empty array`);
      else list.forEach((x, i) => checkSchema(`${where}.${k}[${i}]`, x));
    }
    if (s.not !== undefined) checkSchema(`${where}.not`, s.not);
    if (s.required !== undefined && (!Array.isArray(s.required) || s.required.length === 0)) {
      fail(where, 'required must be a non-empty array');
    }
  };

  const checkContent = (where: string, content: unknown) => {
    if (!isObj(content) || Object.keys(content).length === 0) return fail(where, 'content needs a media type');
    for (const [type, media] of Object.entries(content)) {
      if (!/^[\w.+-]+\/[\w.+*-]+$/.test(type)) fail(where, `bad media type ${type}`);
      if (!isObj(media)) fail(`${where}.${type}`, 'media type object expected');
      else if (media.schema !== undefined) checkSchema(`${where}.${type}.schema`, media.schema);
    }
  };

  const operationIds = new Map<string, string>();
  const paths = isObj(doc.paths) ? doc.paths : {};
  if (!isObj(doc.paths)) fail('paths', 'required object');
  for (const [path, item] of Object.entries(paths)) {
    if (!path.startsWith('/')) fail(path, 'paths start with /');
    if (!isObj(item)) {
      fail(path, 'path item must be an object');
      continue;
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.includes(method)) {
        if (method !== 'parameters' && method !== 'summary' && method !== 'description') fail(where, 'unknown field');
        continue;
      }
      if (!isObj(op)) {
        fail(where, 'operation must be an object');
        continue;
      }
      if (typeof op.operationId !== 'string' || op.operationId === '') fail(where, 'operationId missing');
      else if (operationIds.has(op.operationId))
        fail(where, `operationId ${op.operationId} also used by ${operationIds.get(op.operationId)}`);
      else operationIds.set(op.operationId, where);

      const params = Array.isArray(op.parameters) ? op.parameters : [];
      const seen = new Set<string>();
      for (const p of params) {
        if (!isObj(p) || typeof p.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(String(p.in))) {
          fail(where, `bad parameter ${JSON.stringify(p)}`);
          continue;
        }
        const key = `${String(p.in)}:${p.name}`;
        if (seen.has(key)) fail(where, `duplicate parameter ${key}`);
        seen.add(key);
        if (p.in === 'path' && p.required !== true) fail(where, `path parameter ${p.name} must be required`);
        if (p.in === 'path' && !templated.includes(p.name)) fail(where, `path parameter ${p.name} is not in the path`);
        if (p.schema === undefined && p.content === undefined) fail(where, `parameter ${p.name} needs a schema`);
        else if (p.schema !== undefined) checkSchema(`${where} parameter ${p.name}`, p.schema);
      }
      for (const t of templated) if (!seen.has(`path:${t}`)) fail(where, `path template {${t}} has no parameter`);

      if (op.requestBody !== undefined) {
        if (!isObj(op.requestBody)) fail(where, 'requestBody must be an object');
        else checkContent(`${where} requestBody`, op.requestBody.content);
      }
      const responses = op.responses;
      if (!isObj(responses) || Object.keys(responses).length === 0) {
        fail(where, 'responses required');
        continue;
      }
      for (const [code, res] of Object.entries(responses)) {
        if (!STATUS.test(code)) fail(where, `bad response code ${code}`);
        if (!isObj(res) || typeof res.description !== 'string')
          fail(`${where} ${code}`, 'response needs a description');
        else if (res.content !== undefined) checkContent(`${where} ${code}`, res.content);
      }
      checkSecurity(where, op.security);
    }
  }
  return problems;
}
