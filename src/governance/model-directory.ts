import {
  type ChainReader,
  ContractRevertedError,
  findModelId,
  getCommonsGovernance,
  getModel,
  getModelContracts,
  listModels,
  type ModelContractsRef,
  type ModelInfo,
  type ProposalCreated,
  ProposalIndex,
  ProposalNotFoundError,
} from '../chain/index.ts'
import { InvalidInputError, ModelNotFoundError } from '../errors.ts'

/**
 * Finds models and proposals by what people call them (id or name; `1.2` or the full id) and resolves
 * local account names. Model contract addresses never change, so they are cached.
 */
export class ModelDirectory {
  private readonly refs = new Map<string, ModelContractsRef>()
  /** Lookups in flight, so a burst of requests for a model not cached yet reads it from chain once. */
  private readonly loading = new Map<string, Promise<ModelContractsRef>>()
  readonly proposals: ProposalIndex

  constructor(
    private readonly c: {
      reader: ChainReader
      addressOf?: (nameOrAddress: string) => Promise<`0x${string}`>
    },
  ) {
    this.proposals = new ProposalIndex(c.reader)
  }

  /** A model's id, name and contract addresses. Throws ModelNotFoundError. */
  async ref(idOrName: string): Promise<ModelContractsRef> {
    const cached = this.refs.get(idOrName)
    if (cached) return cached
    if (idOrName === COMMONS || idOrName === '0') return this.commons()
    const running = this.loading.get(idOrName)
    if (running) return running
    const load = (async () => {
      const id = await this.id(idOrName)
      const ref = await getModelContracts(this.c.reader, id).catch((err) => rethrowUnknown(err, idOrName))
      this.refs.set(idOrName, ref)
      this.refs.set(id.toString(), ref)
      return ref
    })()
    this.loading.set(idOrName, load)
    try {
      return await load
    } finally {
      this.loading.delete(idOrName)
    }
  }

  /** Everything about a model (policy, supply, settings). Throws ModelNotFoundError. */
  async model(idOrName: string): Promise<ModelInfo> {
    const id = await this.id(idOrName)
    return getModel(this.c.reader, id).catch((err) => rethrowUnknown(err, idOrName))
  }

  /** Every model and the commons's own governance, or the one named. */
  async models(idOrName?: string): Promise<ModelContractsRef[]> {
    return idOrName === undefined ? this.allGovernors() : [await this.ref(idOrName)]
  }

  /** The commons's own governance (membership, admission policy) as a model of id 0. Throws ModelNotFoundError. */
  async commons(): Promise<ModelContractsRef> {
    const ref = this.refs.get(COMMONS) ?? (await getCommonsGovernance(this.c.reader))
    if (ref === undefined)
      throw new ModelNotFoundError(
        'This deployment has no commons membership contract: membership is not governed on this chain.',
      )
    this.refs.set(COMMONS, ref)
    return ref
  }

  /** A proposal by reference (`1.2`, or `0.3` for the commons's own) or full id. Throws ProposalNotFoundError. */
  async proposal(idOrRef: string): Promise<ProposalCreated> {
    const ref = /^(\d+)\.(\d+)$/.exec(idOrRef)
    const models = ref ? [await this.ref(ref[1] as string)] : await this.allGovernors()
    const match = (p: ProposalCreated) => (ref ? p.ref === idOrRef : p.id.toString() === idOrRef)
    for (const m of models) {
      const found = await this.proposals.find(m, match)
      if (found) return found
    }
    throw new ProposalNotFoundError(`No proposal ${idOrRef}. The model's proposals list shows what exists.`)
  }

  private async allGovernors(): Promise<ModelContractsRef[]> {
    const models = await listModels(this.c.reader)
    const commons = await getCommonsGovernance(this.c.reader)
    return commons === undefined ? models : [commons, ...models]
  }

  /** An address as given, or the address of the local account with that name. */
  async address(value: string): Promise<`0x${string}`> {
    if (/^0x/i.test(value)) return value as `0x${string}`
    if (this.c.addressOf) return this.c.addressOf(value)
    throw new InvalidInputError(
      `"${value}" is not an address, and there are no local accounts to look it up in.`,
    )
  }

  private async id(idOrName: string): Promise<bigint> {
    const id = await findModelId(this.c.reader, idOrName)
    if (id === undefined || id === 0n) throw modelNotFound(idOrName)
    return id
  }
}

/** What the commons's own governance is called where a model name is expected. */
const COMMONS = 'commons'

function modelNotFound(idOrName: string): ModelNotFoundError {
  return new ModelNotFoundError(`No model "${idOrName}". The model list shows the models of this commons.`)
}

function rethrowUnknown(err: unknown, idOrName: string): never {
  if (err instanceof ContractRevertedError && err.details?.errorName === 'RegistryUnknownModel')
    throw modelNotFound(idOrName)
  throw err
}
