// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GovernorUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/GovernorUpgradeable.sol";
import {GovernorSettingsUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorSettingsUpgradeable.sol";
import {GovernorCountingSimpleUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorCountingSimpleUpgradeable.sol";
import {GovernorVotesUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesUpgradeable.sol";
import {GovernorVotesQuorumFractionUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesQuorumFractionUpgradeable.sol";
import {GovernorTimelockControlUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorTimelockControlUpgradeable.sol";
import {TimelockControllerUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {MIN_VOTING_DELAY, MIN_VOTING_PERIOD} from "./GovernanceRules.sol";

/// @dev The registry calls a model's governance makes routinely (the selectors must match ModelRegistry).
interface IRoutineRegistryCalls {
    struct UsagePolicy {
        uint256 pricePer1kTokens;
        bool open;
        string policyURI;
    }

    function publishVersion(uint256 modelId, uint256 versionId) external;
    function revokeVersion(uint256 modelId, uint256 versionId) external;
    function setPolicy(uint256 modelId, UsagePolicy calldata policy) external;
    function setAllowed(uint256 modelId, address account, bool allowed) external;
}

/// @title ModelGovernor
/// @notice The governor of one model: shareholders propose and vote; passed proposals run through the timelock.
/// @dev Two classes of proposal. A routine proposal only publishes or revokes versions, or sets the usage
/// policy or allowlist, with no ether attached: it passes with the model's quorum and more For than Against.
/// Every other proposal is constitutional (minting shares, changing any governor or timelock setting or
/// role, moving treasury funds, changing the revenue split in the UsageEscrow (it moves money between owners
/// and others), calling any other contract, or anything not known to be routine): it
/// passes only when For votes exceed half of ALL shares at the proposal's snapshot, so no holder of a
/// minority can pass one alone, however the others abstain or sleep. Voting delay and period never go
/// below MIN_VOTING_DELAY and MIN_VOTING_PERIOD.
contract ModelGovernor is
    GovernorUpgradeable,
    GovernorSettingsUpgradeable,
    GovernorCountingSimpleUpgradeable,
    GovernorVotesUpgradeable,
    GovernorVotesQuorumFractionUpgradeable,
    GovernorTimelockControlUpgradeable
{
    /// @notice The model registry: the target of routine calls.
    address public registry;
    mapping(uint256 proposalId => bool) private _constitutional;

    /// @notice A governance setting asked for is below the floor every model keeps.
    error GovernorSettingBelowMinimum(string setting, uint256 value, uint256 minimum);

    constructor() {
        _disableInitializers();
    }

    /// @notice Wires shares and timelock and sets the model's governance settings (seconds, timestamp clock).
    function initialize(
        address registry_,
        string calldata name_,
        IVotes shares,
        TimelockControllerUpgradeable timelock_,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 proposalThreshold_,
        uint256 quorumPercent
    ) external initializer {
        registry = registry_;
        __Governor_init(name_);
        __GovernorSettings_init(votingDelay_, votingPeriod_, proposalThreshold_);
        __GovernorCountingSimple_init();
        __GovernorVotes_init(shares);
        __GovernorVotesQuorumFraction_init(quorumPercent);
        __GovernorTimelockControl_init(timelock_);
    }

    /// @notice Whether a proposal needs For votes from a majority of all shares (see the contract notes).
    function proposalIsConstitutional(uint256 proposalId) external view returns (bool) {
        return _constitutional[proposalId];
    }

    /// @notice Whether calls would make a constitutional proposal: any call that is not a routine registry call
    /// without ether.
    function isConstitutional(address[] memory targets, uint256[] memory values, bytes[] memory calldatas)
        public
        view
        returns (bool)
    {
        for (uint256 i = 0; i < targets.length; i++) {
            if (values[i] != 0 || targets[i] != registry || calldatas[i].length < 4) return true;
            bytes4 selector = bytes4(calldatas[i]);
            if (
                selector != IRoutineRegistryCalls.publishVersion.selector
                    && selector != IRoutineRegistryCalls.revokeVersion.selector
                    && selector != IRoutineRegistryCalls.setPolicy.selector
                    && selector != IRoutineRegistryCalls.setAllowed.selector
            ) return true;
        }
        return false;
    }

    /// @dev Records the proposal's class when it is created; the class follows from its calls alone.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        if (isConstitutional(targets, values, calldatas)) _constitutional[proposalId] = true;
    }

    /// @dev Routine: more For than Against. Constitutional: For above half of all shares at the snapshot.
    function _voteSucceeded(uint256 proposalId)
        internal
        view
        override(GovernorUpgradeable, GovernorCountingSimpleUpgradeable)
        returns (bool)
    {
        if (!_constitutional[proposalId]) return super._voteSucceeded(proposalId);
        (, uint256 forVotes,) = proposalVotes(proposalId);
        return forVotes * 2 > token().getPastTotalSupply(proposalSnapshot(proposalId));
    }

    function _setVotingDelay(uint48 newVotingDelay) internal override {
        if (newVotingDelay < MIN_VOTING_DELAY) {
            revert GovernorSettingBelowMinimum("votingDelay", newVotingDelay, MIN_VOTING_DELAY);
        }
        super._setVotingDelay(newVotingDelay);
    }

    function _setVotingPeriod(uint32 newVotingPeriod) internal override {
        if (newVotingPeriod < MIN_VOTING_PERIOD) {
            revert GovernorSettingBelowMinimum("votingPeriod", newVotingPeriod, MIN_VOTING_PERIOD);
        }
        super._setVotingPeriod(newVotingPeriod);
    }

    function _updateQuorumNumerator(uint256 newQuorumNumerator) internal override {
        if (newQuorumNumerator == 0) revert GovernorSettingBelowMinimum("quorumPercent", 0, 1);
        super._updateQuorumNumerator(newQuorumNumerator);
    }

    function state(uint256 proposalId)
        public
        view
        override(GovernorUpgradeable, GovernorTimelockControlUpgradeable)
        returns (ProposalState)
    {
        return super.state(proposalId);
    }

    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(GovernorUpgradeable, GovernorTimelockControlUpgradeable)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    function proposalThreshold() public view override(GovernorUpgradeable, GovernorSettingsUpgradeable) returns (uint256) {
        return super.proposalThreshold();
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) returns (address) {
        return super._executor();
    }
}
