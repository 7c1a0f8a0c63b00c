// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TimelockControllerUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";

/// @title ModelTimelock
/// @notice A model's timelock and treasury: it executes what the model's governor decided, after a delay.
/// Cloned per model and initialized with the governor as the only proposer and canceller, anyone as
/// executor, and no admin.
contract ModelTimelock is TimelockControllerUpgradeable {
    constructor() {
        _disableInitializers();
    }
}
