// Validates STIX objects (JSON lines on stdin) against the OASIS STIX 2.1
// JSON schemas with ajv: each object against the schema of its own type.
// Prints one JSON line per object: {line, id, type, ok, errors}.
// Usage: node stix_validate.js SCHEMA_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const dir = process.argv[2];
const ajv = new Ajv2020({unicodeRegExp: false, strict: false, allErrors: true});
addFormats(ajv);
// ajv-formats knows no "idn-hostname" (observables/domain-name.json uses
// it) and would skip the check: a name passes when its IDNA ASCII form
// (empty when IDNA refuses it) is a hostname.
const {fullFormats} = require('ajv-formats/dist/formats');
ajv.addFormat('idn-hostname', (s) => {
  const ascii = require('url').domainToASCII(s);
  return ascii !== '' && fullFormats.hostname.test(ascii);
});
const byPath = {};
for (const sub of ['common', 'observables', 'sdos', 'sros']) {
  for (const f of fs.readdirSync(path.join(dir, sub))) {
    if (!f.endsWith('.json')) continue;
    const s = JSON.parse(fs.readFileSync(path.join(dir, sub, f), 'utf8'));
    ajv.addSchema(s);
    byPath[sub + '/' + f] = s.$id;
  }
}
function schemaOf(type) {
  for (const sub of ['sdos', 'sros', 'observables']) {
    const k = sub + '/' + type + '.json';
    if (byPath[k]) return byPath[k];
  }
  const common = {'marking-definition': 'common/marking-definition.json',
                  'extension-definition': 'common/extension-definition.json',
                  'language-content': 'common/language-content.json'};
  if (common[type]) return byPath[common[type]];
  if (type && type.startsWith('x-')) return byPath['common/core.json'];
  return null;
}
const lines = fs.readFileSync(0, 'utf8').split('\n');
lines.forEach((text, i) => {
  if (!text.trim()) return;
  let o;
  try { o = JSON.parse(text); } catch (e) {
    console.log(JSON.stringify({line: i + 1, ok: false, errors: ['not JSON: ' + e.message]}));
    return;
  }
  const id = schemaOf(o.type);
  if (!id) {
    console.log(JSON.stringify({line: i + 1, id: o.id, type: o.type, ok: false,
                                errors: ['no schema for type ' + o.type]}));
    return;
  }
  const v = ajv.getSchema(id);
  const ok = v(o);
  console.log(JSON.stringify({line: i + 1, id: o.id, type: o.type, ok: ok,
    errors: ok ? [] : v.errors.map(e => e.instancePath + ' ' + e.message)}));
});
