import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli, startNodeProcess } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('commons data add|list|show|withdraw and lineage through a running node; /api/datasets and /api/lineage; refusals are clear', async () => {
  await using dir = await tmpDir()
  const node = await startNodeProcess(dir.path, ['--no-demo'])
  const cli = async (args: string[], exit = 0) => {
    const r = await runCli(dir.path, args)
    assert.equal(r.code, exit, `${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`)
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace is shown')
    return r
  }
  try {
    const data = join(dir.path, 'notes')
    await mkdir(data)
    await writeFile(join(data, 'a.txt'), 'clinical notes, de-identified\n'.repeat(400))
    await writeFile(join(dir.path, 'consent.txt'), 'Patients consented to research use.')
    const added = await cli([
      '--json',
      ...['data', 'add', data, '--licence', 'CC-BY-4.0', '--purpose', 'research', 'education'],
      ...['--consent-file', join(dir.path, 'consent.txt'), '--consent-uri', 'https://example.org/c'],
    ])
    const d = JSON.parse(added.stdout)
    assert.equal(d.id, '1')
    assert.equal(d.owner, node.address)
    assert.equal(d.files, 1)
    assert.equal(d.purposes.length, 2)
    assert.match(d.manifestRoot, /^0x[0-9a-f]{64}$/)

    const list = (await (await fetch(`${node.apiUrl}/api/datasets`)).json()) as {
      datasets: { id: string; licence: string }[]
    }
    assert.deepEqual(
      list.datasets.map((x: { id: string; licence: string }) => [x.id, x.licence]),
      [['1', 'CC-BY-4.0']],
    )
    assert.match((await cli(['data', 'show', '1'])).stdout, /dataset 1 {2}offered {2}licence CC-BY-4\.0/)
    assert.match((await cli(['data', 'list'])).stdout, /consent https:\/\/example\.org\/c/)

    // Bad input and refusals: exit code by category, a message that says what to do.
    await cli(
      [
        'data',
        'add',
        data,
        '--licence',
        'not a licence!',
        '--purpose',
        'x',
        '--consent-hash',
        `0x${'1'.repeat(64)}`,
      ],
      2,
    )
    assert.match((await cli(['lineage', 'nomodel'], 2)).stderr, /<model>@<version>/)
    assert.match((await cli(['lineage', 'nomodel@1'], 3)).stderr, /No model nomodel/)
    const lineage = await fetch(`${node.apiUrl}/api/lineage?model=nomodel`)
    assert.equal(lineage.status, 400)
    // A local copy that is not the registered data is refused before anything else.
    await writeFile(join(data, 'b.txt'), 'another file changes the manifest')
    const join1 = await cli(['train', 'join', '7', '--dataset', `1=${data}`], 4)
    assert.match(join1.stderr, /manifest root .* not dataset 1's/)

    const withdrawn = await cli(['data', 'withdraw', '1'])
    assert.match(withdrawn.stdout, /WITHDRAWN/)
    assert.match(withdrawn.stdout, /No model version was trained with dataset 1/)
    assert.match((await cli(['data', 'withdraw', '1'], 4)).stderr, /DatasetAlreadyWithdrawn/)
  } finally {
    await node.stop()
  }
})
