// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// The floors every model's governance keeps, whatever its creator or a later vote asks for. They give
// every holder time to see a proposal before its snapshot, to vote on it, and to react before it runs.

/// @dev Shortest time between a proposal and its voting snapshot (seconds).
uint48 constant MIN_VOTING_DELAY = 300;
/// @dev Shortest voting period (seconds).
uint32 constant MIN_VOTING_PERIOD = 3_600;
/// @dev Shortest time between queueing a passed proposal and running it (seconds).
uint256 constant MIN_TIMELOCK_DELAY = 600;
