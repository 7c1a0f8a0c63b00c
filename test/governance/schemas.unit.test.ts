import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseEther } from 'viem'
import {
  addVersionInput,
  createModelInput,
  parseInput,
  proposeInput,
  voteInput,
} from '../../src/governance/index.ts'

const owners = [{ owner: 'alice', shares: 40 }]

describe('governance input schemas (shared by the HTTP API and the CLI)', () => {
  test('a number and a decimal string are both accepted where a number is meant', () => {
    const a = parseInput(createModelInput, {
      name: 'm',
      owners,
      settings: { votingDelay: 600, quorumPercent: 40 },
    })
    const b = parseInput(createModelInput, {
      name: 'm',
      owners: [{ owner: 'alice', shares: '40' }],
      settings: { votingDelay: '600', quorumPercent: '40' },
    })
    assert.deepEqual(a, b)
    assert.equal(a.owners[0]?.shares, parseEther('40'))
    assert.equal(a.settings?.votingDelay, 600n)
    // Wei amounts past 2^53 travel as decimal strings.
    const p = parseInput(proposeInput, {
      kind: 'set-policy',
      model: 1,
      pricePer1kTokens: '123456789012345678901234567890',
      open: true,
    })
    assert.equal(p.kind === 'set-policy' && p.pricePer1kTokens, 123456789012345678901234567890n)
  })

  test('bad input is an InvalidInputError in the domain’s words, naming the field, with no CLI flag', () => {
    const cases: [
      unknown,
      typeof createModelInput | typeof proposeInput | typeof voteInput | typeof addVersionInput,
      string,
      RegExp,
    ][] = [
      [{ name: '', owners }, createModelInput, 'name', /a model name is 1 to 64 bytes/],
      [{ name: 'm', owners: [] }, createModelInput, 'owners', /at least one owner/],
      [
        { name: 'm', owners: [{ owner: 'alice', shares: 0 }] },
        createModelInput,
        'owners.0.shares',
        /greater than zero/,
      ],
      [
        { name: 'm', owners: [{ owner: '0x12', shares: 1 }] },
        createModelInput,
        'owners.0.owner',
        /not a valid address/,
      ],
      [
        { name: 'm', owners, settings: { quorumPercent: 0 } },
        createModelInput,
        'settings.quorumPercent',
        /between 1 and 100/,
      ],
      // Delays under the floors the contracts keep (a minority could otherwise rush a vote through).
      [
        { name: 'm', owners, settings: { votingDelay: 0 } },
        createModelInput,
        'settings.votingDelay',
        /voting delay must be at least 300 seconds/,
      ],
      [
        { name: 'm', owners, settings: { votingDelay: '299' } },
        createModelInput,
        'settings.votingDelay',
        /at least 300 seconds/,
      ],
      [
        { name: 'm', owners, settings: { votingPeriod: 60 } },
        createModelInput,
        'settings.votingPeriod',
        /voting period must be at least 3600 seconds/,
      ],
      [
        { name: 'm', owners, settings: { timelockDelay: 0 } },
        createModelInput,
        'settings.timelockDelay',
        /timelock delay must be at least 600 seconds/,
      ],
      [{ name: 'm', owners, extra: 1 }, createModelInput, 'input', /unknown field extra/],
      [
        { kind: 'publish-version', model: 'demo' },
        proposeInput,
        'versionId',
        /recorded version id, or a content root/,
      ],
      [{ kind: 'revoke-version', model: 'demo', versionId: 'x' }, proposeInput, 'versionId', /whole number/],
      [{ proposal: '1.2', support: 'maybe' }, voteInput, 'support', /"for", "against" or "abstain"/],
      [{ proposal: 'one', support: 'for' }, voteInput, 'proposal', /reference \(e\.g\. 1\.2/],
      [{ model: 1, contentRoot: 'zz', size: 1 }, addVersionInput, 'contentRoot', /not a content root/],
    ]
    for (const [input, schema, field, message] of cases) {
      assert.throws(
        () => parseInput(schema, input),
        (e: Error & { details?: { field?: string } }) => {
          assert.equal(e.name, 'InvalidInputError', JSON.stringify(input))
          assert.equal(e.details?.field, field, JSON.stringify(input))
          assert.match(e.message, message)
          assert.doesNotMatch(e.message, /--/)
          return true
        },
      )
    }
  })

  test('a content root is normalised to 0x + lower-case hex', () => {
    const v = parseInput(addVersionInput, { model: 'demo', contentRoot: 'AB'.repeat(32), size: '10' })
    assert.equal(v.contentRoot, `0x${'ab'.repeat(32)}`)
    assert.equal(v.size, 10n)
    assert.equal(v.format, 'gguf')
    assert.equal(v.account, 'node')
  })
})
