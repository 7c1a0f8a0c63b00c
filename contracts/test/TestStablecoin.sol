// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestStablecoin
/// @notice TEST ONLY: never deploy on a real network. A 6-decimals ERC20 that anyone can mint, so tests and demos
/// can run a token deployment of Model Commons on anvil. Anyone may also switch on a transfer fee, to show that a
/// fee-on-transfer token is refused.
contract TestStablecoin is ERC20 {
    /// @notice Burnt from every transfer between accounts, in basis points (0 by default).
    uint16 public transferFeeBps;

    constructor() ERC20("Test Stablecoin (test only)", "TUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Anyone may mint: test only.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Anyone may set the fee: test only.
    function setTransferFee(uint16 bps) external {
        transferFeeBps = bps;
    }

    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = from == address(0) || to == address(0) ? 0 : (value * transferFeeBps) / 10000;
        if (fee > 0) super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
