// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {TimelockControllerUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";
import {ModelShares} from "./ModelShares.sol";
import {ModelTimelock} from "./ModelTimelock.sol";
import {ModelGovernor} from "./ModelGovernor.sol";
import {ReleaseGate} from "./ReleaseGate.sol";
import {MIN_TIMELOCK_DELAY, MIN_VOTING_DELAY, MIN_VOTING_PERIOD} from "./GovernanceRules.sol";

/// @title ModelRegistry
/// @notice The list of co-owned models: each model's shares, governor and timelock (created together in
/// one call as EIP-1167 clones), its versions and its usage policy. Only a model's timelock can publish
/// or revoke its versions and change its policy. The registry itself has no owner.
/// Versions: any shareholder records a candidate (content root plus metadata); several candidates may name
/// the same root, so recording one reserves nothing. A candidate becomes the published version of its root
/// only when a passed proposal publishes it; a root has at most one published version at a time, and a
/// revoked root can be published again from a new candidate by a new proposal. A version is published only
/// when the model's release policy in the ReleaseGate (created here, without an owner) is met.
contract ModelRegistry {
    enum VersionStatus {
        None,
        Proposed,
        Published,
        Revoked
    }

    struct GovernanceSettings {
        uint48 votingDelay; // seconds between proposal and start of voting
        uint32 votingPeriod; // seconds voting stays open
        uint256 proposalThreshold; // shares needed to propose
        uint256 quorumPercent; // percent of total shares that must vote for or abstain (routine proposals)
        uint256 timelockDelay; // seconds between queue and execute
    }

    /// @notice Who may use a model and on what terms. A price above 0 makes the model paid (from the
    /// consumer's escrow deposit); terms (a URI and the hash of their text) must be accepted by each
    /// consumer (UsageTerms) before first use, and again whenever the hash changes.
    struct UsagePolicy {
        bool open; // anyone may use the model; otherwise only the allowlist
        uint256 promptPricePer1k; // wei per 1000 prompt tokens
        uint256 completionPricePer1k; // wei per 1000 completion tokens
        uint32 requestsPerMinute; // per consumer and node; 0: no limit
        string termsURI;
        bytes32 termsHash; // 0: no terms to accept
    }

    struct ModelInput {
        string name;
        string symbol;
        string cardURI;
        address[] owners;
        uint256[] amounts;
        GovernanceSettings settings;
    }

    struct Model {
        string name;
        string cardURI;
        address shares;
        address timelock;
        address governor;
        address creator;
        uint64 createdAt;
    }

    struct Version {
        bytes32 contentRoot;
        string format;
        uint64 size;
        string cardURI;
        VersionStatus status;
        address proposer;
        uint64 proposedAt;
        uint64 decidedAt;
    }

    uint256 public constant MAX_NAME_BYTES = 64;
    uint256 public constant MAX_URI_BYTES = 512;
    uint256 public constant MAX_OWNERS = 64;

    address public immutable sharesImplementation;
    address public immutable timelockImplementation;
    address public immutable governorImplementation;
    /// @notice Evaluators, release policies and attestations: publishVersion asks it first.
    ReleaseGate public immutable releaseGate;

    uint256 public modelCount;
    mapping(uint256 modelId => Model) private _models;
    mapping(uint256 modelId => Version[]) private _versions;
    /// @notice The published version of a content root, or 0 when none is (candidates do not count).
    mapping(uint256 modelId => mapping(bytes32 root => uint256 versionId)) public publishedVersionOf;
    /// @dev Every version ever published, in order: only passed proposals grow it, so candidates recorded by
    /// anyone cannot make finding the latest published version expensive.
    mapping(uint256 modelId => uint256[] versionIds) private _publishedIds;
    mapping(uint256 modelId => UsagePolicy) private _policies;
    mapping(uint256 modelId => mapping(address account => bool)) public allowlisted;
    mapping(bytes32 nameHash => uint256 modelId) public modelIdByNameHash;

    event ModelCreated(
        uint256 indexed modelId, string name, address shares, address timelock, address governor, address indexed creator
    );
    event VersionProposed(uint256 indexed modelId, uint256 indexed versionId, bytes32 contentRoot, address indexed proposer);
    event VersionPublished(uint256 indexed modelId, uint256 indexed versionId, bytes32 contentRoot);
    event VersionRevoked(uint256 indexed modelId, uint256 indexed versionId, bytes32 contentRoot);
    event PolicyChanged(uint256 indexed modelId, bool open, uint256 promptPricePer1k, uint256 completionPricePer1k, bytes32 termsHash);
    event AllowlistChanged(uint256 indexed modelId, address indexed account, bool allowed);

    error RegistryInvalidName();
    error RegistryNameTaken(string name);
    error RegistryInvalidURI();
    error RegistryInvalidOwners();
    error RegistryInvalidSettings();
    error RegistrySettingBelowMinimum(string setting, uint256 value, uint256 minimum);
    error RegistryUnknownModel(uint256 modelId);
    error RegistryUnknownVersion(uint256 modelId, uint256 versionId);
    error RegistryUnauthorized(uint256 modelId, address caller);
    error RegistryNotShareholder(uint256 modelId, address caller);
    error RegistryDuplicateVersion(uint256 modelId, bytes32 contentRoot);
    error RegistryInvalidVersion();
    error RegistryVersionStatus(uint256 modelId, uint256 versionId, VersionStatus status);
    error RegistryReleasePolicyNotMet(uint256 modelId, uint256 versionId);

    constructor(address sharesImpl, address timelockImpl, address governorImpl) {
        sharesImplementation = sharesImpl;
        timelockImplementation = timelockImpl;
        governorImplementation = governorImpl;
        releaseGate = new ReleaseGate();
    }

    modifier onlyTimelock(uint256 modelId) {
        Model storage m = _model(modelId);
        if (msg.sender != m.timelock) revert RegistryUnauthorized(modelId, msg.sender);
        _;
    }

    /// @notice Creates a model with its shares, timelock and governor, and mints the owners' shares.
    function createModel(ModelInput calldata input) external returns (uint256 modelId) {
        uint256 nameLength = bytes(input.name).length;
        uint256 symbolLength = bytes(input.symbol).length;
        if (nameLength == 0 || nameLength > MAX_NAME_BYTES || symbolLength == 0 || symbolLength > 16) {
            revert RegistryInvalidName();
        }
        bytes32 nameHash = keccak256(bytes(input.name));
        if (modelIdByNameHash[nameHash] != 0) revert RegistryNameTaken(input.name);
        if (bytes(input.cardURI).length > MAX_URI_BYTES) revert RegistryInvalidURI();
        if (input.owners.length == 0 || input.owners.length > MAX_OWNERS || input.owners.length != input.amounts.length) {
            revert RegistryInvalidOwners();
        }
        GovernanceSettings calldata settings = input.settings;
        if (settings.quorumPercent == 0 || settings.quorumPercent > 100) revert RegistryInvalidSettings();
        if (settings.votingDelay < MIN_VOTING_DELAY) {
            revert RegistrySettingBelowMinimum("votingDelay", settings.votingDelay, MIN_VOTING_DELAY);
        }
        if (settings.votingPeriod < MIN_VOTING_PERIOD) {
            revert RegistrySettingBelowMinimum("votingPeriod", settings.votingPeriod, MIN_VOTING_PERIOD);
        }
        if (settings.timelockDelay < MIN_TIMELOCK_DELAY) {
            revert RegistrySettingBelowMinimum("timelockDelay", settings.timelockDelay, MIN_TIMELOCK_DELAY);
        }

        modelId = ++modelCount;
        modelIdByNameHash[nameHash] = modelId;
        (address shares, address timelock, address governor) = _deployGovernance(input);
        Model storage m = _models[modelId];
        m.name = input.name;
        m.cardURI = input.cardURI;
        m.shares = shares;
        m.timelock = timelock;
        m.governor = governor;
        m.creator = msg.sender;
        m.createdAt = uint64(block.timestamp);
        _policies[modelId].open = true;
        emit ModelCreated(modelId, input.name, shares, timelock, governor, msg.sender);
    }

    /// @notice Records a candidate version; any shareholder of the model may. Governance publishes it.
    /// Other candidates for the same root do not block it; a root that is published now does.
    function proposeVersion(
        uint256 modelId,
        bytes32 contentRoot,
        string calldata format,
        uint64 size,
        string calldata cardURI
    ) external returns (uint256 versionId) {
        Model storage m = _model(modelId);
        if (ModelShares(m.shares).balanceOf(msg.sender) == 0) revert RegistryNotShareholder(modelId, msg.sender);
        if (contentRoot == bytes32(0) || bytes(format).length == 0 || bytes(format).length > 32 || size == 0) {
            revert RegistryInvalidVersion();
        }
        if (bytes(cardURI).length > MAX_URI_BYTES) revert RegistryInvalidURI();
        if (publishedVersionOf[modelId][contentRoot] != 0) revert RegistryDuplicateVersion(modelId, contentRoot);
        _versions[modelId].push(
            Version({
                contentRoot: contentRoot,
                format: format,
                size: size,
                cardURI: cardURI,
                status: VersionStatus.Proposed,
                proposer: msg.sender,
                proposedAt: uint64(block.timestamp),
                decidedAt: 0
            })
        );
        versionId = _versions[modelId].length;
        emit VersionProposed(modelId, versionId, contentRoot, msg.sender);
    }

    /// @notice Publishes a candidate version. Only the model's timelock (a passed proposal) can, and only while
    /// no other version of the same root is published, and only when the model's release policy is met.
    function publishVersion(uint256 modelId, uint256 versionId) external onlyTimelock(modelId) {
        Version storage v = _version(modelId, versionId);
        if (v.status != VersionStatus.Proposed) revert RegistryVersionStatus(modelId, versionId, v.status);
        if (!releaseGate.isReleasable(modelId, versionId)) revert RegistryReleasePolicyNotMet(modelId, versionId);
        if (publishedVersionOf[modelId][v.contentRoot] != 0) revert RegistryDuplicateVersion(modelId, v.contentRoot);
        publishedVersionOf[modelId][v.contentRoot] = versionId;
        _publishedIds[modelId].push(versionId);
        v.status = VersionStatus.Published;
        v.decidedAt = uint64(block.timestamp);
        emit VersionPublished(modelId, versionId, v.contentRoot);
    }

    /// @notice Revokes a version. Only the model's timelock (a passed proposal) can. Its root is free again:
    /// a new candidate for it may be published by a new proposal.
    function revokeVersion(uint256 modelId, uint256 versionId) external onlyTimelock(modelId) {
        Version storage v = _version(modelId, versionId);
        if (v.status == VersionStatus.Revoked) revert RegistryVersionStatus(modelId, versionId, v.status);
        if (publishedVersionOf[modelId][v.contentRoot] == versionId) delete publishedVersionOf[modelId][v.contentRoot];
        v.status = VersionStatus.Revoked;
        v.decidedAt = uint64(block.timestamp);
        emit VersionRevoked(modelId, versionId, v.contentRoot);
    }

    /// @notice Sets the model's usage policy. Only the model's timelock can.
    function setPolicy(uint256 modelId, UsagePolicy calldata policy) external onlyTimelock(modelId) {
        if (bytes(policy.termsURI).length > MAX_URI_BYTES) revert RegistryInvalidURI();
        if ((policy.termsHash == bytes32(0)) != (bytes(policy.termsURI).length == 0)) revert RegistryInvalidURI();
        _policies[modelId] = policy;
        emit PolicyChanged(
            modelId, policy.open, policy.promptPricePer1k, policy.completionPricePer1k, policy.termsHash
        );
    }

    /// @notice Adds or removes an account from the model's allowlist. Only the model's timelock can.
    function setAllowed(uint256 modelId, address account, bool allowed) external onlyTimelock(modelId) {
        allowlisted[modelId][account] = allowed;
        emit AllowlistChanged(modelId, account, allowed);
    }

    function getModel(uint256 modelId) external view returns (Model memory) {
        return _model(modelId);
    }

    function getPolicy(uint256 modelId) external view returns (UsagePolicy memory) {
        _model(modelId);
        return _policies[modelId];
    }

    function versionCount(uint256 modelId) external view returns (uint256) {
        _model(modelId);
        return _versions[modelId].length;
    }

    function getVersion(uint256 modelId, uint256 versionId) external view returns (Version memory) {
        return _version(modelId, versionId);
    }

    function getVersions(uint256 modelId) external view returns (Version[] memory) {
        _model(modelId);
        return _versions[modelId];
    }

    /// @notice The most recently published version that is still published, or 0 when none is.
    function latestPublishedVersion(uint256 modelId) external view returns (uint256) {
        _model(modelId);
        uint256[] storage ids = _publishedIds[modelId];
        Version[] storage vs = _versions[modelId];
        for (uint256 i = ids.length; i > 0; i--) {
            if (vs[ids[i - 1] - 1].status == VersionStatus.Published) return ids[i - 1];
        }
        return 0;
    }

    /// @notice Whether the account may use the model under its policy.
    function isAllowed(uint256 modelId, address account) external view returns (bool) {
        _model(modelId);
        return _policies[modelId].open || allowlisted[modelId][account];
    }

    /// @dev Clones and wires shares, timelock and governor: the governor is the timelock's only proposer
    /// and canceller, anyone executes after the delay, and the timelock has no admin.
    function _deployGovernance(ModelInput calldata input) private returns (address shares, address timelock, address governor) {
        shares = Clones.clone(sharesImplementation);
        timelock = Clones.clone(timelockImplementation);
        governor = Clones.clone(governorImplementation);
        address[] memory proposers = new address[](1);
        proposers[0] = governor;
        address[] memory executors = new address[](1);
        executors[0] = address(0);
        GovernanceSettings calldata settings = input.settings;
        ModelTimelock(payable(timelock)).initialize(settings.timelockDelay, proposers, executors, address(0));
        ModelShares(shares).initialize(input.name, input.symbol, timelock, input.owners, input.amounts);
        ModelGovernor(payable(governor)).initialize(
            address(this),
            input.name,
            IVotes(shares),
            TimelockControllerUpgradeable(payable(timelock)),
            settings.votingDelay,
            settings.votingPeriod,
            settings.proposalThreshold,
            settings.quorumPercent
        );
    }

    function _model(uint256 modelId) private view returns (Model storage m) {
        m = _models[modelId];
        if (m.shares == address(0)) revert RegistryUnknownModel(modelId);
    }

    function _version(uint256 modelId, uint256 versionId) private view returns (Version storage) {
        _model(modelId);
        if (versionId == 0 || versionId > _versions[modelId].length) revert RegistryUnknownVersion(modelId, versionId);
        return _versions[modelId][versionId - 1];
    }
}
