// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {DatasetRegistry} from "./DatasetRegistry.sol";
import {ModelRegistry} from "./ModelRegistry.sol";
import {ModelShares} from "./ModelShares.sol";

/// @title TrainingLedger
/// @notice The public record of federated training jobs: who trains which model from which version, each
/// round's commitment (hash of the new global model and of the masked uploads it was summed from), each
/// member's measured contribution per round, and the content root of the result. It has no owner.
/// Writes: a shareholder of the model creates a job and names its coordinator (a listed participant); the
/// job stays Pending until every named participant joined it (opt-in: no one is enrolled by others). Only the
/// job's current coordinator commits rounds, and each contributor of a round must have signed (EIP-712) its
/// own amount for that job, round and starting model: the coordinator cannot credit anyone who did not sign
/// nor change an amount. The proposal link is set once, to a registry version holding the job's result.
/// Any other participant may take over as coordinator once `takeoverTimeout` seconds passed without a
/// coordinator write; that timeout is at least MIN_TAKEOVER_TIMEOUT, above the longest round a node runs
/// (nodes refuse to coordinate a job whose timeout does not exceed their round bound, and post a heartbeat
/// before a round when the time left before takeover would not cover it).
/// Data: each contributor of a round may name the DatasetRegistry datasets it trained on, with each one's part of
/// its amount (summing to the amount); it signs them with the amount, so the coordinator cannot misattribute
/// them, and the ledger accepts only datasets the contributor may use now (owned or licensed, not withdrawn).
contract TrainingLedger is EIP712 {
    enum JobStatus {
        None,
        Pending,
        Active,
        Finished
    }

    /// @notice How shares are minted to contributors: by example counts, or equally per round trained.
    enum ContributionRule {
        Examples,
        EqualPerRound
    }

    struct JobInput {
        uint256 modelId;
        uint256 baseVersionId; // 0 when the base is not a registered version
        bytes32 baseContentRoot;
        bytes32 specHash; // keccak-256 of the canonical job spec (strategy, privacy, local steps ...)
        address[] participants;
        uint32 rounds;
        ContributionRule contributionRule;
        address coordinator;
        uint64 takeoverTimeout; // seconds without a coordinator write after which a participant may take over
    }

    /// @notice One round to commit: each contributor's amount comes with its EIP-712 Contribution signature.
    struct RoundInput {
        uint256 jobId;
        uint32 round;
        bytes32 modelHash;
        bytes32 inputsCommitment;
        bytes32 trainedFrom; // the global model hash the contributors trained from (previous round's model)
        address[] contributors;
        uint256[] contributions;
        bytes[] signatures;
        uint256[][] datasetIds; // per contributor: the datasets it trained on (strictly increasing), may be empty
        uint256[][] datasetAmounts; // per contributor: each dataset's part of its amount (sums to the amount)
    }

    struct Job {
        uint256 modelId;
        uint256 baseVersionId;
        bytes32 baseContentRoot;
        bytes32 specHash;
        address creator;
        address coordinator;
        uint32 rounds;
        uint32 committedRounds;
        uint32 joinedCount;
        ContributionRule contributionRule;
        JobStatus status;
        uint64 takeoverTimeout;
        uint64 createdAt;
        uint64 lastActivityAt;
        uint64 finishedAt;
        bytes32 resultRoot;
        uint256 versionId; // set by recordProposal
        uint256 proposalId; // set by recordProposal
    }

    struct RoundRecord {
        bytes32 modelHash; // sha-256 of the global weights after the round (float32, tensor order)
        bytes32 inputsCommitment; // sha-256 over the masked uploads the sum was computed from
        bytes32 trainedFrom; // the model the contributors signed they trained from
        address coordinator;
        uint64 committedAt;
        address[] contributors;
        uint256[] contributions;
    }

    uint256 public constant MAX_PARTICIPANTS = 255;
    uint32 public constant MAX_ROUNDS = 10_000;
    /// @notice Floor of a job's takeover timeout: above the longest round of a node with default phase
    /// deadlines (keys 30 s + shares 30 s + training 600 s + unmask 30 s + result delivery 30 s = 720 s).
    uint64 public constant MIN_TAKEOVER_TIMEOUT = 900;
    bytes32 public constant CONTRIBUTION_TYPEHASH =
        keccak256("Contribution(uint256 jobId,uint32 round,uint256 amount,bytes32 trainedFrom,bytes32 datasets)");
    uint256 public constant MAX_DATASETS_PER_CONTRIBUTOR = 16;

    ModelRegistry public immutable registry;
    DatasetRegistry public immutable datasets;

    uint256 public jobCount;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 jobId => address[]) private _participants;
    mapping(uint256 jobId => mapping(address account => bool)) public isParticipant;
    mapping(uint256 jobId => mapping(address account => bool)) public hasJoined;
    mapping(uint256 jobId => mapping(uint256 round => RoundRecord)) private _rounds;
    mapping(uint256 jobId => mapping(address account => uint256)) public contributionOf;
    mapping(uint256 jobId => uint256) public totalContribution;
    /// @notice The part of a member's contribution to a job made with one dataset (summed over rounds).
    mapping(uint256 jobId => mapping(address account => mapping(uint256 datasetId => uint256))) public datasetContributionOf;
    /// @notice The part of a member's contribution to a job attributed to datasets (the rest named none).
    mapping(uint256 jobId => mapping(address account => uint256)) public datasetContributionTotalOf;
    mapping(uint256 jobId => mapping(uint256 round => mapping(address account => uint256[]))) private _roundDatasetIds;
    mapping(uint256 jobId => mapping(uint256 round => mapping(address account => uint256[]))) private _roundDatasetAmounts;

    event JobCreated(
        uint256 indexed jobId,
        uint256 indexed modelId,
        address indexed coordinator,
        address creator,
        bytes32 specHash,
        uint32 rounds
    );
    event RoundCommitted(
        uint256 indexed jobId,
        uint32 indexed round,
        bytes32 modelHash,
        bytes32 inputsCommitment,
        address coordinator
    );
    event ParticipantJoined(uint256 indexed jobId, address indexed account);
    event JobActivated(uint256 indexed jobId);
    event CoordinatorAlive(uint256 indexed jobId, address indexed coordinator);
    event CoordinatorReplaced(uint256 indexed jobId, address indexed previous, address indexed next);
    event JobFinished(uint256 indexed jobId, bytes32 resultRoot);
    event ProposalRecorded(uint256 indexed jobId, uint256 versionId, uint256 proposalId);

    error TrainingUnknownJob(uint256 jobId);
    error TrainingNotShareholder(uint256 modelId, address caller);
    error TrainingInvalidJob();
    error TrainingDuplicateParticipant(address account);
    error TrainingNotCoordinator(uint256 jobId, address caller);
    error TrainingNotParticipant(uint256 jobId, address account);
    error TrainingJobNotActive(uint256 jobId, JobStatus status);
    error TrainingUnexpectedRound(uint256 jobId, uint32 expected, uint32 got);
    error TrainingInvalidContributions();
    error TrainingRoundsIncomplete(uint256 jobId, uint32 committed, uint32 rounds);
    error TrainingTakeoverTooEarly(uint256 jobId, uint64 availableAt);
    error TrainingAlreadyCoordinator(uint256 jobId, address caller);
    error TrainingJobNotFinished(uint256 jobId);
    error TrainingTakeoverTimeoutTooShort(uint64 timeout, uint64 minimum);
    error TrainingJobNotPending(uint256 jobId, JobStatus status);
    error TrainingAlreadyJoined(uint256 jobId, address account);
    error TrainingBadContributionSignature(uint256 jobId, address contributor);
    error TrainingWrongStartingModel(uint256 jobId, bytes32 expected, bytes32 got);
    error TrainingProposalAlreadyRecorded(uint256 jobId, uint256 proposalId);
    error TrainingVersionMismatch(uint256 jobId, uint256 versionId);
    error TrainingInvalidDatasets(uint256 jobId, address contributor);
    error TrainingDatasetNotUsable(uint256 jobId, address contributor, uint256 datasetId);

    constructor(ModelRegistry registry_, DatasetRegistry datasets_) EIP712("Commons TrainingLedger", "1") {
        registry = registry_;
        datasets = datasets_;
    }

    /// @notice Records a new job, Pending until every participant joined (the creator, if listed, joins here).
    /// The caller must hold shares of the model; the coordinator must be a participant.
    function createJob(JobInput calldata input) external returns (uint256 jobId) {
        ModelRegistry.Model memory m = registry.getModel(input.modelId);
        if (ModelShares(m.shares).balanceOf(msg.sender) == 0) {
            revert TrainingNotShareholder(input.modelId, msg.sender);
        }
        uint256 n = input.participants.length;
        if (
            n == 0 || n > MAX_PARTICIPANTS || input.rounds == 0 || input.rounds > MAX_ROUNDS
                || input.specHash == bytes32(0) || input.baseContentRoot == bytes32(0) || input.takeoverTimeout == 0
        ) revert TrainingInvalidJob();
        if (input.takeoverTimeout < MIN_TAKEOVER_TIMEOUT) {
            revert TrainingTakeoverTimeoutTooShort(input.takeoverTimeout, MIN_TAKEOVER_TIMEOUT);
        }
        jobId = ++jobCount;
        for (uint256 i = 0; i < n; i++) {
            address p = input.participants[i];
            if (p == address(0)) revert TrainingInvalidJob();
            if (isParticipant[jobId][p]) revert TrainingDuplicateParticipant(p);
            isParticipant[jobId][p] = true;
            _participants[jobId].push(p);
        }
        if (!isParticipant[jobId][input.coordinator]) revert TrainingNotParticipant(jobId, input.coordinator);
        Job storage j = _jobs[jobId];
        j.modelId = input.modelId;
        j.baseVersionId = input.baseVersionId;
        j.baseContentRoot = input.baseContentRoot;
        j.specHash = input.specHash;
        j.creator = msg.sender;
        j.coordinator = input.coordinator;
        j.rounds = input.rounds;
        j.contributionRule = input.contributionRule;
        j.status = JobStatus.Pending;
        j.takeoverTimeout = input.takeoverTimeout;
        j.createdAt = uint64(block.timestamp);
        j.lastActivityAt = uint64(block.timestamp);
        emit JobCreated(jobId, input.modelId, input.coordinator, msg.sender, input.specHash, input.rounds);
        if (isParticipant[jobId][msg.sender]) _join(jobId, j, msg.sender);
    }

    /// @notice A named participant opts in; the job becomes Active when the last one joined.
    function join(uint256 jobId) external {
        Job storage j = _jobOf(jobId);
        if (j.status != JobStatus.Pending) revert TrainingJobNotPending(jobId, j.status);
        if (!isParticipant[jobId][msg.sender]) revert TrainingNotParticipant(jobId, msg.sender);
        if (hasJoined[jobId][msg.sender]) revert TrainingAlreadyJoined(jobId, msg.sender);
        _join(jobId, j, msg.sender);
    }

    /// @notice The coordinator shows it is alive (before a round when the takeover window would not cover it).
    function heartbeat(uint256 jobId) external {
        Job storage j = _activeJobOf(jobId);
        if (msg.sender != j.coordinator) revert TrainingNotCoordinator(jobId, msg.sender);
        j.lastActivityAt = uint64(block.timestamp);
        emit CoordinatorAlive(jobId, msg.sender);
    }

    /// @notice The EIP-712 digest a contributor signs for its amount in one round of a job; `datasetsHash` is
    /// datasetsHashOf(the datasets it trained on, each one's part of the amount).
    function contributionDigest(uint256 jobId, uint32 round, uint256 amount, bytes32 trainedFrom, bytes32 datasetsHash) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(CONTRIBUTION_TYPEHASH, jobId, round, amount, trainedFrom, datasetsHash)));
    }

    /// @notice What a contributor signs for the datasets it trained on: keccak256(abi.encode(ids, amounts)).
    function datasetsHashOf(uint256[] memory ids, uint256[] memory amounts) public pure returns (bytes32) {
        return keccak256(abi.encode(ids, amounts));
    }

    /// @notice Commits the next round: its model hash, the masked-upload commitment and each contributor's
    /// measure, each signed by that contributor over (job, round, amount, model it trained from).
    function commitRound(RoundInput calldata r) external {
        uint256 jobId = r.jobId;
        Job storage j = _activeJobOf(jobId);
        if (msg.sender != j.coordinator) revert TrainingNotCoordinator(jobId, msg.sender);
        if (r.round != j.committedRounds + 1 || r.round > j.rounds) {
            revert TrainingUnexpectedRound(jobId, j.committedRounds + 1, r.round);
        }
        uint256 n = r.contributors.length;
        if (
            r.modelHash == bytes32(0) || r.trainedFrom == bytes32(0) || n == 0 || n != r.contributions.length
                || n != r.signatures.length || n != r.datasetIds.length || n != r.datasetAmounts.length
        ) revert TrainingInvalidContributions();
        if (r.round > 1 && r.trainedFrom != _rounds[jobId][r.round - 1].modelHash) {
            revert TrainingWrongStartingModel(jobId, _rounds[jobId][r.round - 1].modelHash, r.trainedFrom);
        }
        uint256 total;
        for (uint256 i = 0; i < n; i++) {
            address a = r.contributors[i];
            uint256 amount = r.contributions[i];
            if (!isParticipant[jobId][a]) revert TrainingNotParticipant(jobId, a);
            // strictly increasing addresses: no duplicates, and a canonical order
            if (i > 0 && a <= r.contributors[i - 1]) revert TrainingInvalidContributions();
            if (amount == 0 || (j.contributionRule == ContributionRule.EqualPerRound && amount != 1)) {
                revert TrainingInvalidContributions();
            }
            _checkSignature(r, i);
            _recordDatasets(r, i);
            contributionOf[jobId][a] += amount;
            total += amount;
        }
        totalContribution[jobId] += total;
        RoundRecord storage rec = _rounds[jobId][r.round];
        rec.modelHash = r.modelHash;
        rec.inputsCommitment = r.inputsCommitment;
        rec.trainedFrom = r.trainedFrom;
        rec.coordinator = msg.sender;
        rec.committedAt = uint64(block.timestamp);
        rec.contributors = r.contributors;
        rec.contributions = r.contributions;
        j.committedRounds = r.round;
        j.lastActivityAt = uint64(block.timestamp);
        emit RoundCommitted(jobId, r.round, r.modelHash, r.inputsCommitment, msg.sender);
    }

    /// @notice Records the result's content root once every round is committed; the job is then finished.
    function finishJob(uint256 jobId, bytes32 resultRoot) external {
        Job storage j = _activeJobOf(jobId);
        if (msg.sender != j.coordinator) revert TrainingNotCoordinator(jobId, msg.sender);
        if (j.committedRounds != j.rounds) revert TrainingRoundsIncomplete(jobId, j.committedRounds, j.rounds);
        if (resultRoot == bytes32(0)) revert TrainingInvalidJob();
        j.resultRoot = resultRoot;
        j.status = JobStatus.Finished;
        j.finishedAt = uint64(block.timestamp);
        j.lastActivityAt = uint64(block.timestamp);
        emit JobFinished(jobId, resultRoot);
    }

    /// @notice Links a finished job, once, to the registry version holding its result and the governance
    /// proposal that publishes it.
    function recordProposal(uint256 jobId, uint256 versionId, uint256 proposalId) external {
        Job storage j = _jobOf(jobId);
        if (j.status != JobStatus.Finished) revert TrainingJobNotFinished(jobId);
        if (msg.sender != j.coordinator) revert TrainingNotCoordinator(jobId, msg.sender);
        if (j.proposalId != 0) revert TrainingProposalAlreadyRecorded(jobId, j.proposalId);
        if (proposalId == 0 || registry.getVersion(j.modelId, versionId).contentRoot != j.resultRoot) {
            revert TrainingVersionMismatch(jobId, versionId);
        }
        j.versionId = versionId;
        j.proposalId = proposalId;
        emit ProposalRecorded(jobId, versionId, proposalId);
    }

    /// @notice A listed participant becomes coordinator after `takeoverTimeout` seconds without a coordinator write.
    function takeOver(uint256 jobId) external {
        Job storage j = _activeJobOf(jobId);
        if (!isParticipant[jobId][msg.sender]) revert TrainingNotParticipant(jobId, msg.sender);
        if (msg.sender == j.coordinator) revert TrainingAlreadyCoordinator(jobId, msg.sender);
        uint64 availableAt = j.lastActivityAt + j.takeoverTimeout;
        if (block.timestamp < availableAt) revert TrainingTakeoverTooEarly(jobId, availableAt);
        address previous = j.coordinator;
        j.coordinator = msg.sender;
        j.lastActivityAt = uint64(block.timestamp);
        emit CoordinatorReplaced(jobId, previous, msg.sender);
    }

    function getJob(uint256 jobId) external view returns (Job memory) {
        return _jobOf(jobId);
    }

    function getParticipants(uint256 jobId) external view returns (address[] memory) {
        _jobOf(jobId);
        return _participants[jobId];
    }

    function getRound(uint256 jobId, uint32 round) external view returns (RoundRecord memory) {
        Job storage j = _jobOf(jobId);
        if (round == 0 || round > j.committedRounds) revert TrainingUnexpectedRound(jobId, j.committedRounds, round);
        return _rounds[jobId][round];
    }

    /// @notice The datasets a contributor named in a round, and each one's part of its amount.
    function getRoundDatasets(uint256 jobId, uint32 round, address account) external view returns (uint256[] memory ids, uint256[] memory amounts) {
        return (_roundDatasetIds[jobId][round][account], _roundDatasetAmounts[jobId][round][account]);
    }

    function _checkSignature(RoundInput calldata r, uint256 i) private view {
        address a = r.contributors[i];
        bytes32 digest = contributionDigest(
            r.jobId, r.round, r.contributions[i], r.trainedFrom, datasetsHashOf(r.datasetIds[i], r.datasetAmounts[i])
        );
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, r.signatures[i]);
        if (err != ECDSA.RecoverError.NoError || signer != a) revert TrainingBadContributionSignature(r.jobId, a);
    }

    /// @dev Checks and records the datasets contributor i trained on: usable by it now, parts summing to its amount.
    function _recordDatasets(RoundInput calldata r, uint256 i) private {
        uint256[] calldata ids = r.datasetIds[i];
        uint256[] calldata parts = r.datasetAmounts[i];
        uint256 m = ids.length;
        if (m == 0) return;
        address a = r.contributors[i];
        if (m != parts.length || m > MAX_DATASETS_PER_CONTRIBUTOR) revert TrainingInvalidDatasets(r.jobId, a);
        uint256 sum;
        for (uint256 k = 0; k < m; k++) {
            if (parts[k] == 0 || (k > 0 && ids[k] <= ids[k - 1])) revert TrainingInvalidDatasets(r.jobId, a);
            if (!datasets.mayUse(ids[k], a)) revert TrainingDatasetNotUsable(r.jobId, a, ids[k]);
            datasetContributionOf[r.jobId][a][ids[k]] += parts[k];
            sum += parts[k];
        }
        if (sum != r.contributions[i]) revert TrainingInvalidDatasets(r.jobId, a);
        datasetContributionTotalOf[r.jobId][a] += sum;
        _roundDatasetIds[r.jobId][r.round][a] = ids;
        _roundDatasetAmounts[r.jobId][r.round][a] = parts;
    }

    function _jobOf(uint256 jobId) private view returns (Job storage j) {
        j = _jobs[jobId];
        if (j.status == JobStatus.None) revert TrainingUnknownJob(jobId);
    }

    function _join(uint256 jobId, Job storage j, address account) private {
        hasJoined[jobId][account] = true;
        j.joinedCount += 1;
        emit ParticipantJoined(jobId, account);
        if (j.joinedCount == _participants[jobId].length) {
            j.status = JobStatus.Active;
            j.lastActivityAt = uint64(block.timestamp);
            emit JobActivated(jobId);
        }
    }

    function _activeJobOf(uint256 jobId) private view returns (Job storage j) {
        j = _jobOf(jobId);
        if (j.status != JobStatus.Active) revert TrainingJobNotActive(jobId, j.status);
    }
}
