import {
  type ChainReader,
  ContractRevertedError,
  findModelId,
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
    const id = await this.id(idOrName)
    const ref = await getModelContracts(this.c.reader, id).catch((err) => rethrowUnknown(err, idOrName))
    this.refs.set(idOrName, ref)
    this.refs.set(id.toString(), ref)
    return ref
  }

  /** Everything about a model (policy, supply, settings). Throws ModelNotFoundError. */
  async model(idOrName: string): Promise<ModelInfo> {
    const id = await this.id(idOrName)
    return getModel(this.c.reader, id).catch((err) => rethrowUnknown(err, idOrName))
  }

  /** Every model, or the one named. */
  async models(idOrName?: string): Promise<ModelContractsRef[]> {
    return idOrName === undefined ? listModels(this.c.reader) : [await this.ref(idOrName)]
  }

  /** A proposal by reference (`1.2`) or full id. Throws ProposalNotFoundError. */
  async proposal(idOrRef: string): Promise<ProposalCreated> {
    const ref = /^(\d+)\.(\d+)$/.exec(idOrRef)
    const models = ref ? [await this.ref(ref[1] as string)] : await listModels(this.c.reader)
    const match = (p: ProposalCreated) => (ref ? p.ref === idOrRef : p.id.toString() === idOrRef)
    for (const m of models) {
      const found = this.proposals.cached(m, match) ?? (await this.proposals.all(m)).find(match)
      if (found) return found
    }
    throw new ProposalNotFoundError(`No proposal ${idOrRef}. The model's proposals list shows what exists.`)
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

function modelNotFound(idOrName: string): ModelNotFoundError {
  return new ModelNotFoundError(`No model "${idOrName}". The model list shows the models of this commons.`)
}

function rethrowUnknown(err: unknown, idOrName: string): never {
  if (err instanceof ContractRevertedError && err.details?.errorName === 'RegistryUnknownModel')
    throw modelNotFound(idOrName)
  throw err
}
