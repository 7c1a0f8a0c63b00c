// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @dev The registry reads the gate needs (selectors must match ModelRegistry).
interface IGateRegistry {
    struct GateModel {
        string name;
        string cardURI;
        address shares;
        address timelock;
        address governor;
        address creator;
        uint64 createdAt;
    }

    function getModel(uint256 modelId) external view returns (GateModel memory);
    function versionCount(uint256 modelId) external view returns (uint256);
}

/// @title ReleaseGate
/// @notice Evaluation-gated releases. Each model's governance (its timelock) approves evaluators and sets a
/// release policy: the evaluations a version needs (e.g. `perplexity` at most 30, `refusals` at least 0.9),
/// each with a threshold and a number of distinct approved evaluators that must attest a passing result.
/// Approved evaluators attest results for a version; the registry asks `isReleasable` before it publishes,
/// so a publish proposal cannot execute until the policy is met. Values are fixed point, 6 decimals.
/// Created by the ModelRegistry in its constructor; it has no owner. Calls to it from a proposal are
/// constitutional in ModelGovernor (they are not routine registry calls): they change who decides a release.
contract ReleaseGate {
    struct Requirement {
        string evaluation; // e.g. "perplexity", "refusals"
        bool atMost; // true: value <= threshold passes (perplexity); false: value >= threshold (a pass rate)
        int256 threshold; // fixed point, 6 decimals
        uint8 attestations; // distinct approved evaluators needed (>= 1)
    }

    struct Attestation {
        address evaluator;
        string evaluation;
        int256 value; // fixed point, 6 decimals
        bytes32 reportHash; // sha256 content root of the evaluation report
        string reportURI;
        uint64 attestedAt;
    }

    uint256 public constant MAX_REQUIREMENTS = 8;
    uint256 public constant MAX_ATTESTATIONS = 64;
    uint256 public constant MAX_NAME_BYTES = 32;
    uint256 public constant MAX_URI_BYTES = 512;

    address public immutable registry;

    mapping(uint256 modelId => Requirement[]) private _policies;
    mapping(uint256 modelId => mapping(address evaluator => bool)) public approvedEvaluator;
    mapping(uint256 modelId => mapping(uint256 versionId => Attestation[])) private _attestations;
    /// @dev 1 + index into _attestations of (evaluator, evaluation); a re-attestation replaces the earlier one.
    mapping(uint256 modelId => mapping(uint256 versionId => mapping(bytes32 key => uint256))) private _slot;

    event EvaluatorApproved(uint256 indexed modelId, address indexed evaluator, bool approved);
    event ReleasePolicySet(uint256 indexed modelId, uint256 requirements);
    event VersionAttested(
        uint256 indexed modelId,
        uint256 indexed versionId,
        address indexed evaluator,
        string evaluation,
        int256 value,
        bytes32 reportHash
    );

    error GateUnauthorized(uint256 modelId, address caller);
    error GateEvaluatorNotApproved(uint256 modelId, address evaluator);
    error GateInvalidRequirement(uint256 index);
    error GateInvalidAttestation();
    error GateUnknownVersion(uint256 modelId, uint256 versionId);
    error GateTooManyAttestations(uint256 modelId, uint256 versionId);

    constructor() {
        registry = msg.sender;
    }

    modifier onlyTimelock(uint256 modelId) {
        if (msg.sender != IGateRegistry(registry).getModel(modelId).timelock) revert GateUnauthorized(modelId, msg.sender);
        _;
    }

    /// @notice Approves or removes an evaluator of a model. Only the model's timelock (a passed proposal) can.
    /// A removed evaluator's attestations stop counting at once.
    function setEvaluator(uint256 modelId, address evaluator, bool approved) external onlyTimelock(modelId) {
        approvedEvaluator[modelId][evaluator] = approved;
        emit EvaluatorApproved(modelId, evaluator, approved);
    }

    /// @notice Replaces the model's release policy (empty: no evaluation needed). Only the model's timelock can.
    function setReleasePolicy(uint256 modelId, Requirement[] calldata requirements) external onlyTimelock(modelId) {
        if (requirements.length > MAX_REQUIREMENTS) revert GateInvalidRequirement(requirements.length);
        delete _policies[modelId];
        for (uint256 i = 0; i < requirements.length; i++) {
            Requirement calldata r = requirements[i];
            uint256 n = bytes(r.evaluation).length;
            if (n == 0 || n > MAX_NAME_BYTES || r.attestations == 0) revert GateInvalidRequirement(i);
            _policies[modelId].push(r);
        }
        emit ReleasePolicySet(modelId, requirements.length);
    }

    /// @notice Records an approved evaluator's result for a version (replacing its earlier one for that evaluation).
    function attest(
        uint256 modelId,
        uint256 versionId,
        string calldata evaluation,
        int256 value,
        bytes32 reportHash,
        string calldata reportURI
    ) external {
        if (!approvedEvaluator[modelId][msg.sender]) revert GateEvaluatorNotApproved(modelId, msg.sender);
        if (versionId == 0 || versionId > IGateRegistry(registry).versionCount(modelId)) {
            revert GateUnknownVersion(modelId, versionId);
        }
        uint256 n = bytes(evaluation).length;
        if (n == 0 || n > MAX_NAME_BYTES || bytes(reportURI).length > MAX_URI_BYTES) revert GateInvalidAttestation();
        Attestation memory a = Attestation(msg.sender, evaluation, value, reportHash, reportURI, uint64(block.timestamp));
        bytes32 key = keccak256(abi.encode(msg.sender, evaluation));
        uint256 slot = _slot[modelId][versionId][key];
        Attestation[] storage list = _attestations[modelId][versionId];
        if (slot != 0) {
            list[slot - 1] = a;
        } else {
            if (list.length >= MAX_ATTESTATIONS) revert GateTooManyAttestations(modelId, versionId);
            list.push(a);
            _slot[modelId][versionId][key] = list.length;
        }
        emit VersionAttested(modelId, versionId, msg.sender, evaluation, value, reportHash);
    }

    /// @notice Whether every requirement of the model's policy has enough passing attestations by evaluators
    /// approved now. True when the policy is empty.
    function isReleasable(uint256 modelId, uint256 versionId) external view returns (bool) {
        Requirement[] storage policy = _policies[modelId];
        for (uint256 i = 0; i < policy.length; i++) {
            if (passingAttestations(modelId, versionId, i) < policy[i].attestations) return false;
        }
        return true;
    }

    /// @notice How many approved evaluators attest a passing result for requirement `index` of the policy.
    function passingAttestations(uint256 modelId, uint256 versionId, uint256 index) public view returns (uint256 count) {
        Requirement storage r = _policies[modelId][index];
        bytes32 name = keccak256(bytes(r.evaluation));
        Attestation[] storage list = _attestations[modelId][versionId];
        for (uint256 j = 0; j < list.length; j++) {
            Attestation storage a = list[j];
            if (keccak256(bytes(a.evaluation)) != name || !approvedEvaluator[modelId][a.evaluator]) continue;
            if (r.atMost ? a.value <= r.threshold : a.value >= r.threshold) count++;
        }
    }

    function getReleasePolicy(uint256 modelId) external view returns (Requirement[] memory) {
        return _policies[modelId];
    }

    function getAttestations(uint256 modelId, uint256 versionId) external view returns (Attestation[] memory) {
        return _attestations[modelId][versionId];
    }
}
