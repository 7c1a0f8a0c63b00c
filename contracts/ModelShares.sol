// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {ERC20PermitUpgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";
import {ERC20VotesUpgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20VotesUpgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {PaymentCurrency} from "./PaymentCurrency.sol";

/// @title ModelShares
/// @notice Fractional ownership of one model: an ERC20 whose balances are voting power (timestamp clock).
/// Only the model's timelock can mint. A holder who never delegated votes with their own shares. Revenue is paid in
/// the deployment's currency (the implementation's immutable, which every clone shares).
contract ModelShares is PaymentCurrency, ERC20Upgradeable, ERC20PermitUpgradeable, ERC20VotesUpgradeable {
    /// @notice The model's timelock: the only account allowed to mint.
    address public timelock;

    /// @dev Revenue-per-share is kept magnified so rounding loses at most one wei per holder per claim.
    uint256 private constant MAGNITUDE = 2 ** 128;
    /// @notice Cumulative revenue per share since creation, times 2**128.
    uint256 public magnifiedRevenuePerShare;
    mapping(address account => int256) private _revenueCorrection;
    /// @notice Revenue each account has already claimed.
    mapping(address account => uint256) public revenueClaimed;

    /// @notice Revenue arrived: it belongs to the holders at this moment, pro rata to their balances.
    event RevenueDistributed(address indexed from, uint256 amount);
    /// @notice A holder took its revenue.
    event RevenueClaimed(address indexed account, uint256 amount);

    /// @notice Revenue of zero, or revenue while no share exists.
    error SharesNoRevenueRecipients(uint256 amount, uint256 supply);
    /// @notice A caller other than the model's timelock tried a timelock-only action.
    error SharesUnauthorizedMinter(address caller);
    /// @notice Owners and amounts have different lengths, or there are none.
    error SharesInvalidAllocation();
    /// @notice An initial owner was given zero shares.
    error SharesZeroAmount(address owner);

    /// @param currency_ The deployment's currency: address(0) for native, else the ERC20 revenue is paid in.
    constructor(address currency_) PaymentCurrency(currency_) {
        _disableInitializers();
    }

    /// @notice Sets name, symbol, the timelock, and mints the initial allocation.
    function initialize(
        string calldata name_,
        string calldata symbol_,
        address timelock_,
        address[] calldata owners,
        uint256[] calldata amounts
    ) external initializer {
        if (owners.length == 0 || owners.length != amounts.length) revert SharesInvalidAllocation();
        __ERC20_init(name_, symbol_);
        __ERC20Permit_init(name_);
        __ERC20Votes_init();
        timelock = timelock_;
        for (uint256 i = 0; i < owners.length; i++) {
            if (amounts[i] == 0) revert SharesZeroAmount(owners[i]);
            _mint(owners[i], amounts[i]);
        }
    }

    /// @notice Mints new shares; only the model's timelock (a passed proposal) can.
    function mint(address to, uint256 amount) external {
        if (msg.sender != timelock) revert SharesUnauthorizedMinter(msg.sender);
        _mint(to, amount);
    }

    /// @notice Pays native currency to the current holders, pro rata to their balances now
    /// ("dividends per share"): a later transfer does not move revenue that already arrived.
    /// The rounding remainder (below one wei per holder) stays in this contract. Native deployments only.
    function distributeRevenue() external payable {
        _distribute(_collect(0));
    }

    /// @notice The same for a token deployment: takes `amount` of the currency from the caller (approve first).
    function distributeTokenRevenue(uint256 amount) external {
        if (currency == address(0)) revert TokenPaymentOnNativeCurrency();
        _distribute(_collect(amount));
    }

    function _distribute(uint256 amount) private {
        uint256 supply = totalSupply();
        if (amount == 0 || supply == 0) revert SharesNoRevenueRecipients(amount, supply);
        magnifiedRevenuePerShare += (amount * MAGNITUDE) / supply;
        emit RevenueDistributed(msg.sender, amount);
    }

    /// @notice All revenue an account has earned so far, claimed or not.
    function accumulativeRevenueOf(address account) public view returns (uint256) {
        int256 magnified = int256(magnifiedRevenuePerShare * balanceOf(account)) + _revenueCorrection[account];
        return uint256(magnified) / MAGNITUDE;
    }

    /// @notice Revenue an account can claim now.
    function claimableRevenueOf(address account) public view returns (uint256) {
        return accumulativeRevenueOf(account) - revenueClaimed[account];
    }

    /// @notice Sends the caller its claimable revenue (pull-based).
    function claimRevenue() external returns (uint256 amount) {
        amount = claimableRevenueOf(msg.sender);
        if (amount == 0) return 0;
        revenueClaimed[msg.sender] += amount;
        _pay(msg.sender, amount);
        emit RevenueClaimed(msg.sender, amount);
    }

    /// @notice Votes are checkpointed by block timestamp (EIP-6372).
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice Votes are checkpointed by block timestamp (EIP-6372).
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    function _update(address from, address to, uint256 value)
        internal
        override(ERC20Upgradeable, ERC20VotesUpgradeable)
    {
        // Shares are voting power from the moment they are held: a recipient that never chose a
        // delegate delegates to itself, so nobody has to remember an extra transaction to vote.
        if (to != address(0) && delegates(to) == address(0)) _delegate(to, to);
        super._update(from, to, value);
        // Revenue already distributed stays with the account that held the shares when it arrived.
        int256 magnified = int256(magnifiedRevenuePerShare * value);
        if (from != address(0)) _revenueCorrection[from] += magnified;
        if (to != address(0)) _revenueCorrection[to] -= magnified;
    }

    function nonces(address owner) public view override(ERC20PermitUpgradeable, NoncesUpgradeable) returns (uint256) {
        return super.nonces(owner);
    }
}
