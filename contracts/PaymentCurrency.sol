// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title PaymentCurrency
/// @notice The one currency a deployment pays in: native (address(0)) or an ERC20 (e.g. a stablecoin), fixed at
/// construction. Money comes in by `msg.value` or by `transferFrom` (the received balance must equal the amount:
/// fee-on-transfer tokens are refused) and goes out by call or SafeERC20 transfer. ModelShares clones share their
/// implementation's code, so they share its currency too.
abstract contract PaymentCurrency {
    using SafeERC20 for IERC20;

    /// @notice The ERC20 every amount is counted in, or address(0) for the chain's native currency.
    address public immutable currency;

    /// @notice Native currency was sent to a contract of a token deployment.
    error NativeValueOnTokenCurrency(address currency, uint256 value);
    /// @notice A token amount was offered to a contract of a native-currency deployment.
    error TokenPaymentOnNativeCurrency();
    /// @notice The token moved less than the amount (a fee-on-transfer token, unsupported).
    error TokenTransferShortfall(address currency, uint256 expected, uint256 received);
    /// @notice The currency given at construction is neither address(0) nor a contract.
    error CurrencyNotAContract(address currency);
    error PaymentFailed(address to, uint256 amount);

    constructor(address currency_) {
        if (currency_ != address(0) && currency_.code.length == 0) revert CurrencyNotAContract(currency_);
        currency = currency_;
    }

    /// @dev What the caller pays: `msg.value` on a native deployment (`amount` must be 0), else `amount` taken by
    /// transferFrom (no `msg.value` allowed). Returns the amount received.
    function _collect(uint256 amount) internal returns (uint256) {
        if (currency == address(0)) {
            if (amount != 0) revert TokenPaymentOnNativeCurrency();
            return msg.value;
        }
        if (msg.value != 0) revert NativeValueOnTokenCurrency(currency, msg.value);
        if (amount == 0) return 0;
        IERC20 token = IERC20(currency);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert TokenTransferShortfall(currency, amount, received);
        return amount;
    }

    /// @dev Lets `spender` take any amount of the token from this contract (a token deployment only).
    function _approveMax(address spender) internal {
        IERC20(currency).forceApprove(spender, type(uint256).max);
    }

    function _pay(address to, uint256 amount) internal {
        if (currency == address(0)) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert PaymentFailed(to, amount);
        } else {
            IERC20(currency).safeTransfer(to, amount);
        }
    }
}
