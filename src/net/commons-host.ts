import './promise-with-resolvers.ts'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { type GossipSub, gossipsub } from '@libp2p/gossipsub'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'
import { type Identify, identify } from '@libp2p/identify'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { type KadDHT, kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { type Ping, ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Logger } from '../log.ts'
import { type AdmissionCheck, AdmissionGate, type AdmissionMode } from './admission-gate.ts'
import {
  ADMISSION_CACHE_TTL_MS,
  ADMISSION_PING_TIMEOUT_MS,
  ANNOUNCE_TOPIC,
  BOOTSTRAP_INTERVAL_MS,
  DEFAULT_LISTEN,
  DHT_PROTOCOL,
  YAMUX_MAX_MESSAGE_SIZE,
  YAMUX_MAX_READ_BUFFER,
  YAMUX_MAX_STREAM_WINDOW,
} from './constants.ts'
import { HostNotStartedError, PeerNotAdmittedError } from './errors.ts'
import { withTimeout } from './frames.ts'
import {
  type Address,
  addressFromPeerId,
  type PeerIdentity,
  parsePeerId,
  peerIdentityFromPrivateKey,
} from './peer-identity.ts'
import { reachableAddrs } from './reachable-addrs.ts'
import { batchYamuxWindowUpdates } from './yamux-window-updates.ts'

/** The remote end of an inbound stream, as a handler sees it. */
export interface RemotePeer {
  peerId: string
  address: Address
  connection: Connection
}

/** Handles one inbound stream of a protocol. */
export type ProtocolHandler = (stream: Stream, remote: RemotePeer) => void | Promise<void>

/** Options of createCommonsHost. */
export interface CommonsHostInit {
  /** The node's raw 32-byte secp256k1 key (its EVM account key). */
  privateKey: Uint8Array
  /** Multiaddrs to listen on; default loopback port 0. */
  listen?: string[]
  /** Multiaddrs (with /p2p/<id>) dialled on start and redialled while disconnected. */
  bootstrap?: string[]
  /** `registry` (default) admits only peers for which isAdmitted resolves true; `open` admits everyone. */
  admission?: AdmissionMode
  /** Admission check; required in registry mode. */
  isAdmitted?: AdmissionCheck
  /** Cache admission decisions this long (ms). */
  admissionCacheTtlMs?: number
  /** Private DHT protocol id. */
  dhtProtocol?: string
  /** How often to redial bootstrap peers that are not connected (ms); 0 disables. */
  bootstrapIntervalMs?: number
  log: Logger
}

type Services = { identify: Identify; ping: Ping; pubsub: GossipSub; dht: KadDHT }

/** A libp2p 3 host with peer admission by registry, gossipsub and a private DHT. */
export class CommonsHost {
  readonly identity: PeerIdentity
  private readonly gate: AdmissionGate
  private node: Libp2p<Services> | undefined
  private bootstrapTimer: NodeJS.Timeout | undefined
  private readonly log: Logger

  constructor(private readonly init: CommonsHostInit) {
    this.identity = peerIdentityFromPrivateKey(init.privateKey)
    this.log = init.log
    const mode = init.admission ?? 'registry'
    if (mode === 'registry' && init.isAdmitted === undefined) {
      throw new PeerNotAdmittedError(
        'Registry admission needs an isAdmitted callback; pass one or use open mode.',
      )
    }
    this.gate = new AdmissionGate({
      mode,
      isAdmitted: init.isAdmitted,
      cacheTtlMs: init.admissionCacheTtlMs ?? ADMISSION_CACHE_TTL_MS,
      log: this.log,
    })
  }

  /** This node's PeerId string. */
  get peerId(): string {
    return this.identity.peerId.toString()
  }

  /** This node's EVM address (same key as the PeerId). */
  get address(): Address {
    return this.identity.address
  }

  /** The underlying libp2p node (escape hatch for tests and diagnostics). */
  get libp2p(): Libp2p<Services> {
    if (this.node === undefined)
      throw new HostNotStartedError('The libp2p host is not started; call start() first.')
    return this.node
  }

  /** The gossipsub service. */
  get pubsub(): GossipSub {
    return this.libp2p.services.pubsub
  }

  /** Starts libp2p, listens and dials the bootstrap peers. */
  async start(): Promise<void> {
    if (this.node !== undefined) return
    batchYamuxWindowUpdates()
    this.node = await createLibp2p<Services>({
      privateKey: this.identity.privateKey,
      // Peers learn our addresses from identify: announce only those they can reach.
      addresses: { listen: this.init.listen ?? DEFAULT_LISTEN, announceFilter: reachableAddrs },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [
        yamux({
          maxMessageSize: YAMUX_MAX_MESSAGE_SIZE,
          streamOptions: {
            maxStreamWindowSize: YAMUX_MAX_STREAM_WINDOW,
            maxReadBufferLength: YAMUX_MAX_READ_BUFFER,
          },
        }),
      ],
      connectionGater: this.gate.connectionGater(),
      services: {
        identify: identify(),
        // kad-dht pings peers too; the default of one outbound ping stream races with connect()'s check
        ping: ping({ maxInboundStreams: 8, maxOutboundStreams: 8 }),
        pubsub: gossipsub({
          globalSignaturePolicy: 'StrictSign',
          allowPublishToZeroTopicPeers: true,
          emitSelf: false,
          // Announcements are rare, so delivery-rate penalties would hit honest peers; invalid messages
          // (rejected by our validator) weigh heavily so a peer sending them falls below the gossip threshold.
          scoreParams: {
            topics: {
              [ANNOUNCE_TOPIC]: createTopicScoreParams({
                topicWeight: 1,
                // the default counts mesh time in ms (quantum 1), which would outweigh penalties
                timeInMeshWeight: 0,
                meshMessageDeliveriesWeight: 0,
                meshFailurePenaltyWeight: 0,
                invalidMessageDeliveriesWeight: -100,
                invalidMessageDeliveriesDecay: 0.5,
              }),
            },
          },
        }),
        dht: kadDHT({
          protocol: this.init.dhtProtocol ?? DHT_PROTOCOL,
          clientMode: false,
          peerInfoMapper: passthroughMapper,
        }),
      },
    })
    await this.node.start()
    this.log.info({ peerId: this.peerId, addrs: this.multiaddrs() }, 'libp2p host started')
    void this.dialBootstrap()
    const interval = this.init.bootstrapIntervalMs ?? BOOTSTRAP_INTERVAL_MS
    if (interval > 0 && (this.init.bootstrap?.length ?? 0) > 0) {
      this.bootstrapTimer = setInterval(() => void this.dialBootstrap(), interval)
      this.bootstrapTimer.unref()
    }
  }

  /** Stops libp2p and closes every connection. */
  async stop(): Promise<void> {
    clearInterval(this.bootstrapTimer)
    this.bootstrapTimer = undefined
    const node = this.node
    this.node = undefined
    await node?.stop()
  }

  /** True between start() and stop(). */
  get started(): boolean {
    return this.node !== undefined
  }

  /** The multiaddrs peers can reach this host at (see reachableAddrs), with /p2p/<peerId>. */
  multiaddrs(): string[] {
    return this.node?.getMultiaddrs().map((ma) => ma.toString()) ?? []
  }

  /** Registers a stream protocol handler (`/commons/<name>/<version>`). */
  async handle(
    protocol: string,
    handler: ProtocolHandler,
    options: { maxInboundStreams?: number; maxOutboundStreams?: number } = {},
  ): Promise<void> {
    await this.libp2p.handle(
      protocol,
      async (stream, connection) => {
        const peerId = connection.remotePeer.toString()
        try {
          await handler(stream, { peerId, address: addressFromPeerId(connection.remotePeer), connection })
        } catch (err) {
          this.log.debug({ err, protocol, peerId }, 'protocol handler failed')
          stream.abort(err instanceof Error ? err : new Error(String(err)))
        }
      },
      options,
    )
  }

  /** Removes a protocol handler. */
  async unhandle(protocol: string): Promise<void> {
    await this.node?.unhandle(protocol)
  }

  /** Opens a stream of `protocol` to a peer (PeerId string or multiaddr), connecting if needed. */
  async dial(
    peer: string | Multiaddr,
    protocol: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<Stream> {
    return this.libp2p.dialProtocol(this.target(peer), protocol, { signal: options.signal })
  }

  /** Connects to a peer by multiaddr (or known PeerId); returns its PeerId. Fails for unadmitted peers. */
  async connect(peer: string | Multiaddr, options: { signal?: AbortSignal } = {}): Promise<string> {
    const connection = await this.libp2p.dial(this.target(peer), { signal: options.signal })
    // The remote's gater runs after Noise, when our side already holds the connection: a round trip
    // proves the remote kept it (an unadmitted node sees its connection closed here).
    try {
      await this.libp2p.services.ping.ping(connection.remotePeer, {
        signal: withTimeout(options.signal, ADMISSION_PING_TIMEOUT_MS),
      })
    } catch (cause) {
      await connection.close().catch(() => undefined)
      this.log.debug({ err: cause }, 'post-dial ping failed')
      throw new PeerNotAdmittedError(
        `Peer ${connection.remotePeer.toString()} closed the connection: this node is probably not admitted (registered) there.`,
        { cause },
      )
    }
    return connection.remotePeer.toString()
  }

  /** PeerIds of the peers with an open connection. */
  connectedPeers(): string[] {
    return this.node?.getPeers().map((p) => p.toString()) ?? []
  }

  /** Open connections (optionally to one peer). */
  connections(peerId?: string): Connection[] {
    if (this.node === undefined) return []
    if (peerId === undefined) return this.node.getConnections()
    return this.node.getConnections().filter((c) => c.remotePeer.toString() === peerId)
  }

  /** The IP address of the open connection to a peer (undefined when not connected or not IP). */
  remoteHost(peerId: string): string | undefined {
    for (const conn of this.connections(peerId)) {
      const ip = conn.remoteAddr.getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6')?.value
      if (ip !== undefined) return ip
    }
    return undefined
  }

  /** Closes every connection to a peer. */
  async hangUp(peerId: string): Promise<void> {
    const conns = this.connections(peerId)
    await Promise.all(conns.map((c) => c.close().catch(() => c.abort(new Error('hang up')))))
  }

  /** True when the admission gate admits this peer now. */
  async admits(peerId: string): Promise<boolean> {
    return this.gate.admits(peerId)
  }

  /**
   * Re-runs admission for every connected peer (forgetting cached decisions) and closes connections to
   * peers no longer admitted. Wire it to the NodeRegistry's change events. Returns the PeerIds dropped.
   */
  async recheckAdmission(): Promise<string[]> {
    this.gate.clear()
    const dropped: string[] = []
    for (const peerId of this.connectedPeers()) {
      if (await this.gate.admits(peerId)) continue
      dropped.push(peerId)
      this.log.info({ peerId }, 'peer no longer admitted; closing its connections')
      await this.hangUp(peerId)
    }
    // A change may have admitted this node where it was refused: try the bootstrap peers again now.
    void this.dialBootstrap()
    return dropped
  }

  /** Alias of recheckAdmission for event wiring: `registry.on('changed', host.onRegistryChanged)`. */
  readonly onRegistryChanged = (): void => {
    void this.recheckAdmission().catch((err) => this.log.warn({ err }, 'admission recheck failed'))
  }

  private target(peer: string | Multiaddr): PeerId | Multiaddr {
    if (typeof peer !== 'string') return peer
    if (peer.startsWith('/')) return multiaddr(peer)
    return this.libp2p.getPeers().find((p) => p.toString() === peer) ?? parsePeerId(peer)
  }

  private async dialBootstrap(): Promise<void> {
    const node = this.node
    if (node === undefined) return
    const connected = new Set(this.connectedPeers())
    for (const addr of this.init.bootstrap ?? []) {
      const ma = multiaddr(addr)
      const id = ma.getComponents().find((c) => c.name === 'p2p')?.value
      if (id !== undefined && connected.has(id)) continue
      try {
        await node.dial(ma)
      } catch (err) {
        this.log.debug({ err, addr }, 'bootstrap dial failed')
      }
    }
  }
}
