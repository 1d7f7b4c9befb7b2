// json-health: a maestro lifecycle check written in JavaScript.
//
// Ready when an HTTP endpoint of the container answers with JSON whose field has the
// expected value, e.g. {"status": "UP"} from a Spring Boot actuator. One attempt per
// call: maestro owns the retries and the deadline. fetch() goes through wasi:http,
// which maestro lets through to this container's address and ports only.
//
// Options (in the environment file, next to `type: json-health`):
//   port:   the name of one of the container's ports (required)
//   path:   the path to GET (default: /health)
//   field:  a dotted path into the JSON answer (default: status)
//   equals: the value it must have (default: UP)

import { write } from 'maestro:plugin/log@0.1.0';

function lookup(value, dotted) {
  return dotted.split('.').reduce((v, key) => (v == null ? undefined : v[key]), value);
}

export const probe = {
  async probe(target) {
    const options = JSON.parse(target.options);
    const port = target.ports.find((p) => p.name === String(options.port));
    if (!port) {
      return { tag: 'failed', val: `the container has no port named ${JSON.stringify(options.port)}` };
    }
    const path = options.path ?? '/health';
    const field = options.field ?? 'status';
    const expected = options.equals ?? 'UP';
    const url = `http://${target.address}:${port.external}${path.startsWith('/') ? path : '/' + path}`;
    let answer;
    try {
      const response = await fetch(url);
      if (!response.ok) {
        return { tag: 'not-ready', val: `HTTP ${response.status} from ${path}` };
      }
      answer = await response.json();
    } catch (error) {
      return { tag: 'not-ready', val: `${url}: ${error}` };
    }
    const actual = lookup(answer, field);
    write('debug', `${field} = ${JSON.stringify(actual)}`);
    if (String(actual) === String(expected)) {
      return { tag: 'ready' };
    }
    return { tag: 'not-ready', val: `${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}` };
  },
};
