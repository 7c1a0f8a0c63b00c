// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ModelRegistry} from "./ModelRegistry.sol";
import {ModelShares} from "./ModelShares.sol";

/// @title TrainingLedger
/// @notice The public record of federated training jobs: who trains which model from which version, each
/// round's commitment (hash of the new global model and of the masked uploads it was summed from), each
/// member's measured contribution per round, and the content root of the result. It has no owner.
/// Writes: a shareholder of the model creates a job and names its coordinator (a listed participant);
/// only the job's current coordinator commits rounds, finishes the job and links its proposal; any other
/// listed participant may take over as coordinator once `takeoverTimeout` seconds passed without a write.
contract TrainingLedger {
    enum JobStatus {
        None,
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

    struct Job {
        uint256 modelId;
        uint256 baseVersionId;
        bytes32 baseContentRoot;
        bytes32 specHash;
        address creator;
        address coordinator;
        uint32 rounds;
        uint32 committedRounds;
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
        address coordinator;
        uint64 committedAt;
        address[] contributors;
        uint256[] contributions;
    }

    uint256 public constant MAX_PARTICIPANTS = 255;
    uint32 public constant MAX_ROUNDS = 10_000;

    ModelRegistry public immutable registry;

    uint256 public jobCount;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 jobId => address[]) private _participants;
    mapping(uint256 jobId => mapping(address account => bool)) public isParticipant;
    mapping(uint256 jobId => mapping(uint256 round => RoundRecord)) private _rounds;
    mapping(uint256 jobId => mapping(address account => uint256)) public contributionOf;
    mapping(uint256 jobId => uint256) public totalContribution;

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

    constructor(ModelRegistry registry_) {
        registry = registry_;
    }

    /// @notice Records a new job. The caller must hold shares of the model; the coordinator must be a participant.
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
        j.status = JobStatus.Active;
        j.takeoverTimeout = input.takeoverTimeout;
        j.createdAt = uint64(block.timestamp);
        j.lastActivityAt = uint64(block.timestamp);
        emit JobCreated(jobId, input.modelId, input.coordinator, msg.sender, input.specHash, input.rounds);
    }

    /// @notice Commits the next round: its model hash, the masked-upload commitment and each contributor's measure.
    function commitRound(
        uint256 jobId,
        uint32 round,
        bytes32 modelHash,
        bytes32 inputsCommitment,
        address[] calldata contributors,
        uint256[] calldata contributions
    ) external {
        Job storage j = _activeJobOf(jobId);
        if (msg.sender != j.coordinator) revert TrainingNotCoordinator(jobId, msg.sender);
        if (round != j.committedRounds + 1 || round > j.rounds) {
            revert TrainingUnexpectedRound(jobId, j.committedRounds + 1, round);
        }
        if (
            modelHash == bytes32(0) || contributors.length == 0 || contributors.length != contributions.length
        ) revert TrainingInvalidContributions();
        RoundRecord storage r = _rounds[jobId][round];
        uint256 total;
        for (uint256 i = 0; i < contributors.length; i++) {
            address a = contributors[i];
            if (!isParticipant[jobId][a]) revert TrainingNotParticipant(jobId, a);
            // strictly increasing addresses: no duplicates, and a canonical order
            if (i > 0 && a <= contributors[i - 1]) revert TrainingInvalidContributions();
            if (contributions[i] == 0) revert TrainingInvalidContributions();
            contributionOf[jobId][a] += contributions[i];
            total += contributions[i];
        }
        totalContribution[jobId] += total;
        r.modelHash = modelHash;
        r.inputsCommitment = inputsCommitment;
        r.coordinator = msg.sender;
        r.committedAt = uint64(block.timestamp);
        r.contributors = contributors;
        r.contributions = contributions;
        j.committedRounds = round;
        j.lastActivityAt = uint64(block.timestamp);
        emit RoundCommitted(jobId, round, modelHash, inputsCommitment, msg.sender);
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

    /// @notice Links a finished job to the registry version and governance proposal that publish its result.
    function recordProposal(uint256 jobId, uint256 versionId, uint256 proposalId) external {
        Job storage j = _jobOf(jobId);
        if (j.status != JobStatus.Finished) revert TrainingJobNotFinished(jobId);
        if (msg.sender != j.coordinator) revert TrainingNotCoordinator(jobId, msg.sender);
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

    function _jobOf(uint256 jobId) private view returns (Job storage j) {
        j = _jobs[jobId];
        if (j.status == JobStatus.None) revert TrainingUnknownJob(jobId);
    }

    function _activeJobOf(uint256 jobId) private view returns (Job storage j) {
        j = _jobOf(jobId);
        if (j.status != JobStatus.Active) revert TrainingJobNotActive(jobId, j.status);
    }
}
