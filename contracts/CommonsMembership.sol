// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {TimelockControllerUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";
import {ModelGovernor} from "./ModelGovernor.sol";
import {ModelTimelock} from "./ModelTimelock.sol";

/// @title CommonsMembership
/// @notice Who belongs to the commons, and the commons's admission policy. Each member holds one
/// non-transferable vote (it cannot be delegated). The commons's own governor and timelock (clones of the
/// model governance implementations, so the same floors on delays apply) are created here: members
/// propose and vote; only the timelock, i.e. a passed proposal, admits or revokes a member or changes the
/// policy. Every such proposal is constitutional in ModelGovernor's terms: it passes only when For votes
/// exceed half of all members at the snapshot. Founding members are set at deployment; nobody keeps a role.
/// Policy `Open`: every registered node is admitted. `Approved`: only members are.
contract CommonsMembership is Votes {
    enum Policy {
        Open,
        Approved
    }

    /// @notice The commons's timelock: the only account that changes membership or policy.
    address public timelock;
    /// @notice The commons's governor (members vote there).
    address public governor;
    /// @notice The admission policy in force.
    Policy public policy;

    address private immutable _governorImplementation;
    address private immutable _timelockImplementation;
    uint48 private immutable _votingDelay;
    uint32 private immutable _votingPeriod;
    uint256 private immutable _timelockDelay;

    mapping(address account => bool) private _member;
    address[] private _members;
    mapping(address account => uint256 indexPlusOne) private _index;

    event MemberAdmitted(address indexed account);
    event MemberRevoked(address indexed account);
    event AdmissionPolicyChanged(Policy policy);
    event GovernanceCreated(address governor, address timelock);

    /// @notice A caller other than the commons's timelock tried a timelock-only action.
    error MembershipUnauthorized(address caller);
    /// @notice The account is already a member.
    error MembershipAlreadyMember(address account);
    /// @notice The account is not a member.
    error MembershipNotMember(address account);
    /// @notice Revoking the last member would leave nobody who can vote.
    error MembershipLastMember(address account);
    /// @notice The governor and timelock were already created.
    error MembershipGovernanceExists(address governor);
    /// @notice Votes are one per member and cannot be delegated.
    error MembershipVotesNotDelegable();
    /// @notice A commons needs at least one founding member, and no zero address.
    error MembershipInvalidFounders();

    /// @notice Admits the founders and sets the policy; `createGovernance` then makes the governor and timelock.
    constructor(
        address governorImplementation,
        address timelockImplementation,
        address[] memory founders,
        Policy policy_,
        uint48 votingDelay,
        uint32 votingPeriod,
        uint256 timelockDelay
    ) EIP712("CommonsMembership", "1") {
        if (founders.length == 0) revert MembershipInvalidFounders();
        _governorImplementation = governorImplementation;
        _timelockImplementation = timelockImplementation;
        _votingDelay = votingDelay;
        _votingPeriod = votingPeriod;
        _timelockDelay = timelockDelay;
        for (uint256 i = 0; i < founders.length; i++) {
            if (founders[i] == address(0)) revert MembershipInvalidFounders();
            if (!_member[founders[i]]) _admit(founders[i]);
        }
        policy = policy_;
        emit AdmissionPolicyChanged(policy_);
    }

    /// @notice Clones and initializes the commons's governor and timelock, once, with the settings fixed at
    /// construction: whoever calls it gets the same result. (Not in the constructor: the governor reads this
    /// contract's clock while it initializes, and a contract under construction has no code to answer.)
    function createGovernance() external {
        if (governor != address(0)) revert MembershipGovernanceExists(governor);
        governor = Clones.clone(_governorImplementation);
        timelock = Clones.clone(_timelockImplementation);
        address[] memory proposers = new address[](1);
        proposers[0] = governor;
        address[] memory executors = new address[](1); // address(0): anyone executes
        ModelTimelock(payable(timelock)).initialize(_timelockDelay, proposers, executors, address(0));
        ModelGovernor(payable(governor)).initialize(
            address(this),
            "Commons",
            IVotes(address(this)),
            TimelockControllerUpgradeable(payable(timelock)),
            _votingDelay,
            _votingPeriod,
            1, // only members propose
            50
        );
        emit GovernanceCreated(governor, timelock);
    }

    /// @notice Admits an account (a node's address); only the timelock.
    function admit(address account) external {
        _onlyTimelock();
        if (account == address(0)) revert MembershipInvalidFounders();
        if (_member[account]) revert MembershipAlreadyMember(account);
        _admit(account);
    }

    /// @notice Revokes a member; only the timelock. The last member cannot be revoked.
    function revoke(address account) external {
        _onlyTimelock();
        if (!_member[account]) revert MembershipNotMember(account);
        if (_members.length == 1) revert MembershipLastMember(account);
        _transferVotingUnits(account, address(0), 1);
        _member[account] = false;
        uint256 i = _index[account];
        address last = _members[_members.length - 1];
        _members[i - 1] = last;
        _index[last] = i;
        _members.pop();
        delete _index[account];
        emit MemberRevoked(account);
    }

    /// @notice Changes the admission policy; only the timelock.
    function setPolicy(Policy policy_) external {
        _onlyTimelock();
        policy = policy_;
        emit AdmissionPolicyChanged(policy_);
    }

    /// @notice Whether the account is a member.
    function isMember(address account) external view returns (bool) {
        return _member[account];
    }

    /// @notice Whether the policy admits the account's node: always under Open, members under Approved.
    function isAdmitted(address account) external view returns (bool) {
        return policy == Policy.Open || _member[account];
    }

    /// @notice Every member.
    function members() external view returns (address[] memory) {
        return _members;
    }

    /// @notice Votes are checkpointed by block timestamp (EIP-6372), like the model governors.
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice Votes are checkpointed by block timestamp (EIP-6372).
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice One member, one vote: delegation is refused.
    function delegate(address) public pure override {
        revert MembershipVotesNotDelegable();
    }

    /// @notice One member, one vote: delegation is refused.
    function delegateBySig(address, uint256, uint256, uint8, bytes32, bytes32) public pure override {
        revert MembershipVotesNotDelegable();
    }

    function _admit(address account) private {
        // Self-delegate while the account holds no unit, then mint its one vote to itself.
        if (delegates(account) == address(0)) _delegate(account, account);
        _member[account] = true;
        _members.push(account);
        _index[account] = _members.length;
        _transferVotingUnits(address(0), account, 1);
        emit MemberAdmitted(account);
    }

    function _getVotingUnits(address account) internal view override returns (uint256) {
        return _member[account] ? 1 : 0;
    }

    function _onlyTimelock() private view {
        if (msg.sender != timelock) revert MembershipUnauthorized(msg.sender);
    }
}
