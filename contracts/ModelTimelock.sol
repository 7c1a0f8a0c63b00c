// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TimelockControllerUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";
import {MIN_TIMELOCK_DELAY} from "./GovernanceRules.sol";

/// @title ModelTimelock
/// @notice A model's timelock and treasury: it executes what the model's governor decided, after a delay.
/// Cloned per model and initialized with the governor as the only proposer and canceller, anyone as
/// executor, and no admin. Its delay never goes below MIN_TIMELOCK_DELAY, at creation or by a later vote.
contract ModelTimelock is TimelockControllerUpgradeable {
    /// @notice The delay asked for is shorter than the floor every model keeps.
    error TimelockDelayBelowMinimum(uint256 delay, uint256 minimum);

    constructor() {
        _disableInitializers();
    }

    /// @notice Sets the delay, proposers, executors and admin; the delay must be at least MIN_TIMELOCK_DELAY.
    function initialize(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        public
        override
        initializer
    {
        _requireDelay(minDelay);
        __TimelockController_init(minDelay, proposers, executors, admin);
    }

    /// @notice Changes the delay (only the timelock itself, i.e. a passed proposal); never below the floor.
    function updateDelay(uint256 newDelay) public override {
        if (msg.sender != address(this)) revert TimelockUnauthorizedCaller(msg.sender);
        _requireDelay(newDelay);
        super.updateDelay(newDelay);
    }

    function _requireDelay(uint256 delay) private pure {
        if (delay < MIN_TIMELOCK_DELAY) revert TimelockDelayBelowMinimum(delay, MIN_TIMELOCK_DELAY);
    }
}
