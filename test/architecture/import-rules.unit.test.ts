import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { checkImports, readSourceTree } from './import-rules.ts'

const ROOT = join(import.meta.dirname, '..', '..')

describe('import rules (DESIGN.md, enforced)', () => {
  test('the source tree follows them', () => {
    const violations = checkImports(readSourceTree(ROOT))
    assert.deepEqual(
      violations.map((v) => `${v.file}:${v.line} imports '${v.specifier}': ${v.rule}`),
      [],
    )
  })

  test('a domain below api/ that imports HTTP is refused', () => {
    const [v] = checkImports([{ path: 'src/inference/x.ts', text: "import { Hono } from 'hono'\n" }])
    assert.match(v?.rule ?? '', /inference\/ must not import HTTP/)
  })

  test('chain/ importing another domain is refused', () => {
    const [v] = checkImports([{ path: 'src/chain/x.ts', text: "import { a } from '../store/index.ts'\n" }])
    assert.match(v?.rule ?? '', /chain\/ must not import store\//)
  })

  test('an allowed domain reached past its index.ts is refused, through index.ts it passes', () => {
    const deep = checkImports([
      { path: 'src/inference/x.ts', text: "import type { ContentStore } from '../store/content-store.ts'\n" },
    ])
    assert.match(deep[0]?.rule ?? '', /past its entry point: use src\/store\/index.ts/)
    assert.deepEqual(
      checkImports([
        { path: 'src/inference/x.ts', text: "import type { ContentStore } from '../store/index.ts'\n" },
      ]),
      [],
    )
  })

  test('api/ must not know libp2p, aggregation/ must stay pure', () => {
    const v = checkImports([
      { path: 'src/api/x.ts', text: "import type { Stream } from '@libp2p/interface'\n" },
      { path: 'src/aggregation/x.ts', text: "export { a } from '../net/index.ts'\n" },
    ])
    assert.equal(v.length, 2)
    assert.match(v[0]?.rule ?? '', /api\/ must not import libp2p/)
    assert.match(v[1]?.rule ?? '', /aggregation\/ must not import net\//)
  })
})
