// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ModelRegistry} from "./ModelRegistry.sol";
import {TrainingLedger} from "./TrainingLedger.sol";
import {PaymentCurrency} from "./PaymentCurrency.sol";

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

interface IEscrowShares {
    function distributeRevenue() external payable;
    function distributeTokenRevenue(uint256 amount) external;
    function currency() external view returns (address);
}

/// @title UsageEscrow
/// @notice Consumers' deposits and pay-after-serve payment channels. After each answer the consumer signs an
/// EIP-712 voucher whose cumulative amount grows by the price of what it was served; the provider redeems the
/// newest voucher whenever it likes and is paid the increase since its last redemption. One redemption settles any
/// number of requests. Revenue is split by the model's governance setting between the serving node (pull), the
/// owners (ModelShares.distributeRevenue: pro rata to the holders at that moment, pull), the training contributors
/// of the served version (pull, pro rata to TrainingLedger contributions) and the model's treasury (its timelock).
/// Nothing is owned: only a model's timelock changes that model's split. Every amount is in the deployment's one
/// currency (PaymentCurrency: native, or an ERC20 such as a stablecoin), the same as the ModelShares'.
contract UsageEscrow is EIP712, PaymentCurrency {
    struct Voucher {
        address consumer;
        address provider;
        uint256 modelId;
        uint256 versionId;
        uint256 cumulativeAmount;
    }

    struct SignedVoucher {
        Voucher voucher;
        bytes signature;
    }

    /// @dev Basis points summing to 10000.
    struct RevenueSplit {
        uint16 node;
        uint16 owners;
        uint16 contributors;
        uint16 treasury;
    }

    struct Withdrawal {
        uint128 amount;
        uint64 availableAt;
    }

    struct ModelAddresses {
        address shares;
        address timelock;
    }

    bytes32 public constant VOUCHER_TYPEHASH = keccak256(
        "Voucher(address consumer,address provider,uint256 modelId,uint256 versionId,uint256 cumulativeAmount)"
    );
    uint256 public constant WITHDRAWAL_DELAY = 1 days;
    uint16 public constant BPS = 10000;

    ModelRegistry public immutable registry;
    /// @dev The ledger's own types, so its Job layout can never drift from what this contract decodes.
    TrainingLedger public immutable ledger;

    mapping(address consumer => uint256) public depositOf;
    mapping(address consumer => Withdrawal) public withdrawalOf;
    /// @notice Amount already paid on each channel (keccak(consumer, signer, provider, modelId, versionId)).
    mapping(bytes32 channelId => uint256) public redeemedOf;
    /// @notice Until when a signer may sign vouchers for a consumer's deposit (0: never; max: until revoked). A
    /// consumer's gateway (an organisation's node serving its apps' API keys) signs with its own key.
    mapping(address consumer => mapping(address signer => uint64)) public signerValidUntil;
    mapping(address node => uint256) public nodeEarningsOf;
    /// @notice The training job whose contributors earn from a version (0: none linked).
    mapping(uint256 modelId => mapping(uint256 versionId => uint256 jobId)) public trainingJobOf;
    /// @notice Everything ever credited to a version's contributors.
    mapping(uint256 modelId => mapping(uint256 versionId => uint256)) public contributorPoolOf;
    mapping(uint256 modelId => mapping(uint256 versionId => mapping(address => uint256))) public contributorClaimedOf;
    mapping(uint256 modelId => mapping(uint256 versionId => mapping(address member => mapping(uint256 datasetId => uint256))))
        public datasetClaimedOf;
    mapping(uint256 modelId => RevenueSplit) private _splits;
    mapping(uint256 modelId => ModelAddresses) private _models;

    event Deposited(address indexed consumer, uint256 amount);
    event SignerAuthorized(address indexed consumer, address indexed signer);
    event SignerRevoked(address indexed consumer, address indexed signer, uint64 validUntil);
    event WithdrawalRequested(address indexed consumer, uint256 amount, uint64 availableAt);
    event Withdrawn(address indexed consumer, uint256 amount);
    event VoucherRedeemed(
        bytes32 indexed channelId, address indexed consumer, address indexed provider, uint256 modelId, uint256 versionId,
        uint256 cumulativeAmount, uint256 paid
    );
    event RevenueSplitChanged(uint256 indexed modelId, RevenueSplit split);
    event TrainingJobLinked(uint256 indexed modelId, uint256 indexed versionId, uint256 jobId);
    event NodeRevenueClaimed(address indexed node, uint256 amount);
    event ContributorRevenueClaimed(uint256 indexed modelId, uint256 indexed versionId, address indexed account, uint256 amount);
    event DatasetRevenueClaimed(
        uint256 indexed modelId,
        uint256 indexed versionId,
        uint256 indexed datasetId,
        address member,
        address owner,
        uint256 amount
    );

    /// @notice The voucher's signature is neither the consumer's nor a signer's it authorised.
    error VoucherBadSignature(address consumer, address signer);
    error SignerNotAuthorized(address consumer, address signer);
    /// @notice The voucher is not above what the channel already paid (a replay or a double claim).
    error VoucherNotIncreasing(bytes32 channelId, uint256 redeemed, uint256 cumulativeAmount);
    /// @notice The consumer's deposit does not cover the voucher's increase.
    error VoucherExceedsDeposit(address consumer, uint256 deposit, uint256 owed);
    /// @notice Only the provider named in a voucher can redeem it.
    error VoucherWrongProvider(address provider, address caller);
    /// @notice The split's basis points do not sum to 10000.
    error RevenueSplitInvalid(uint256 sum);
    /// @notice Only the model's timelock (a passed proposal) can change its split.
    error RevenueSplitUnauthorized(uint256 modelId, address caller);
    error WithdrawalAboveDeposit(uint256 deposit, uint256 amount);
    error WithdrawalNotRequested(address consumer);
    error WithdrawalNotReady(uint64 availableAt);
    error ZeroDeposit();
    /// @notice The job does not record this model and version as its published result.
    error TrainingJobMismatch(uint256 modelId, uint256 versionId, uint256 jobId);
    error TrainingJobAlreadyLinked(uint256 modelId, uint256 versionId, uint256 jobId);
    /// @notice The escrow's currency differs from the one the registry's ModelShares pay revenue in.
    error CurrencyMismatch(address escrow, address shares);

    /// @param currency_ address(0) for native currency, else the ERC20 every deposit and payout is in.
    constructor(address registry_, address ledger_, address currency_)
        EIP712("Model Commons UsageEscrow", "1")
        PaymentCurrency(currency_)
    {
        registry = ModelRegistry(registry_);
        ledger = TrainingLedger(ledger_);
        address sharesCurrency = IEscrowShares(registry.sharesImplementation()).currency();
        if (sharesCurrency != currency_) revert CurrencyMismatch(currency_, sharesCurrency);
    }

    // ---- consumers ----

    /// @notice Deposits `msg.value` (native deployments; a token deployment refuses it).
    function deposit() external payable {
        depositFor(msg.sender);
    }

    function depositFor(address consumer) public payable {
        _credit(consumer, _collect(0));
    }

    /// @notice Deposits `amount` of the deployment's token, taken by transferFrom (approve the escrow first).
    function depositToken(uint256 amount) external {
        depositTokenFor(msg.sender, amount);
    }

    function depositTokenFor(address consumer, uint256 amount) public {
        _credit(consumer, _collect(amount));
    }

    function _credit(address consumer, uint256 amount) private {
        if (amount == 0) revert ZeroDeposit();
        depositOf[consumer] += amount;
        emit Deposited(consumer, amount);
    }

    /// @notice Lets `signer` sign vouchers paid from the caller's deposit (e.g. the node that serves the caller's
    /// API keys). Each signer has channels of its own, so two gateways never collide on one cumulative amount.
    function authorizeSigner(address signer) external {
        signerValidUntil[msg.sender][signer] = type(uint64).max;
        emit SignerAuthorized(msg.sender, signer);
    }

    /// @notice Stops a signer; vouchers it signed stay redeemable for WITHDRAWAL_DELAY, so a provider who served
    /// against them is still paid.
    function revokeSigner(address signer) external {
        if (signerValidUntil[msg.sender][signer] == 0) revert SignerNotAuthorized(msg.sender, signer);
        uint64 until = uint64(block.timestamp + WITHDRAWAL_DELAY);
        signerValidUntil[msg.sender][signer] = until;
        emit SignerRevoked(msg.sender, signer, until);
    }

    /// @notice Whether `signer` may sign vouchers for `consumer` now (the consumer itself always may).
    function isSigner(address consumer, address signer) public view returns (bool) {
        return signer == consumer || block.timestamp < signerValidUntil[consumer][signer];
    }

    /// @notice Starts the withdrawal delay; providers may still redeem vouchers during it.
    function requestWithdrawal(uint256 amount) external {
        uint256 d = depositOf[msg.sender];
        if (amount > d || amount == 0) revert WithdrawalAboveDeposit(d, amount);
        uint64 availableAt = uint64(block.timestamp + WITHDRAWAL_DELAY);
        withdrawalOf[msg.sender] = Withdrawal(uint128(amount), availableAt);
        emit WithdrawalRequested(msg.sender, amount, availableAt);
    }

    /// @notice Pays out the requested amount (at most what is left of the deposit) once the delay has passed.
    function withdraw() external returns (uint256 amount) {
        Withdrawal memory w = withdrawalOf[msg.sender];
        if (w.availableAt == 0) revert WithdrawalNotRequested(msg.sender);
        if (block.timestamp < w.availableAt) revert WithdrawalNotReady(w.availableAt);
        delete withdrawalOf[msg.sender];
        uint256 d = depositOf[msg.sender];
        amount = w.amount < d ? w.amount : d;
        depositOf[msg.sender] = d - amount;
        _pay(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    // ---- providers ----

    function channelId(address consumer, address signer, address provider, uint256 modelId, uint256 versionId)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(consumer, signer, provider, modelId, versionId));
    }

    function voucherDigest(Voucher calldata v) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(VOUCHER_TYPEHASH, v.consumer, v.provider, v.modelId, v.versionId, v.cumulativeAmount))
        );
    }

    /// @notice Redeems one channel's newest voucher; returns what it paid.
    function redeem(SignedVoucher calldata sv) external returns (uint256 paid) {
        paid = _redeem(sv);
        (uint256 toOwners, uint256 toTreasury) = _allocate(sv.voucher.modelId, sv.voucher.versionId, paid);
        _flush(sv.voucher.modelId, toOwners, toTreasury);
    }

    /// @notice Redeems many channels in one transaction (all or nothing). The owners' and treasury's parts are
    /// paid once per run of consecutive vouchers of the same model, so order a batch by model.
    function redeemMany(SignedVoucher[] calldata svs) external returns (uint256 total) {
        uint256 modelId;
        uint256 owners;
        uint256 treasury;
        for (uint256 i = 0; i < svs.length; i++) {
            Voucher calldata v = svs[i].voucher;
            if (i > 0 && v.modelId != modelId) {
                _flush(modelId, owners, treasury);
                (owners, treasury) = (0, 0);
            }
            modelId = v.modelId;
            uint256 paid = _redeem(svs[i]);
            total += paid;
            (uint256 o, uint256 t) = _allocate(modelId, v.versionId, paid);
            owners += o;
            treasury += t;
        }
        if (svs.length > 0) _flush(modelId, owners, treasury);
    }

    function claimNodeRevenue() external returns (uint256 amount) {
        amount = nodeEarningsOf[msg.sender];
        if (amount == 0) return 0;
        nodeEarningsOf[msg.sender] = 0;
        _pay(msg.sender, amount);
        emit NodeRevenueClaimed(msg.sender, amount);
    }

    // ---- contributors ----

    /// @notice Links a version to the finished training job that produced it (anyone may call; checked against the
    /// ledger). Revenue redeemed before the link goes to the owners.
    function linkTrainingJob(uint256 modelId, uint256 versionId, uint256 jobId) external {
        if (trainingJobOf[modelId][versionId] != 0) revert TrainingJobAlreadyLinked(modelId, versionId, jobId);
        TrainingLedger.Job memory j = ledger.getJob(jobId);
        if (j.modelId != modelId || j.versionId != versionId || j.proposalId == 0 || ledger.totalContribution(jobId) == 0) {
            revert TrainingJobMismatch(modelId, versionId, jobId);
        }
        trainingJobOf[modelId][versionId] = jobId;
        emit TrainingJobLinked(modelId, versionId, jobId);
    }

    /// @notice A member's share of the contributor pool for the rounds in which it named no dataset (its
    /// dataset-attributed part is paid to the datasets' owners by claimDatasetRevenue).
    function contributorClaimableOf(uint256 modelId, uint256 versionId, address account) public view returns (uint256) {
        uint256 jobId = trainingJobOf[modelId][versionId];
        if (jobId == 0) return 0;
        uint256 own = ledger.contributionOf(jobId, account) - ledger.datasetContributionTotalOf(jobId, account);
        uint256 earned = (contributorPoolOf[modelId][versionId] * own) / ledger.totalContribution(jobId);
        return earned - contributorClaimedOf[modelId][versionId][account];
    }

    /// @notice What the owner of `datasetId` may claim for what `member` trained with it on this version.
    function datasetClaimableOf(uint256 modelId, uint256 versionId, address member, uint256 datasetId)
        public
        view
        returns (uint256)
    {
        uint256 jobId = trainingJobOf[modelId][versionId];
        if (jobId == 0) return 0;
        uint256 earned = (contributorPoolOf[modelId][versionId] * ledger.datasetContributionOf(jobId, member, datasetId))
            / ledger.totalContribution(jobId);
        return earned - datasetClaimedOf[modelId][versionId][member][datasetId];
    }

    /// @notice Pays the dataset's owner (whoever calls) the share of the contributor pool that `member` earned
    /// training on `datasetId` for this version: royalties follow the data.
    function claimDatasetRevenue(uint256 modelId, uint256 versionId, address member, uint256 datasetId)
        external
        returns (uint256 amount)
    {
        amount = datasetClaimableOf(modelId, versionId, member, datasetId);
        if (amount == 0) return 0;
        datasetClaimedOf[modelId][versionId][member][datasetId] += amount;
        address owner = ledger.datasets().ownerOf(datasetId);
        _pay(owner, amount);
        emit DatasetRevenueClaimed(modelId, versionId, datasetId, member, owner, amount);
    }

    /// @notice Pays the caller its share of a version's contributor revenue (rounding dust stays in escrow).
    function claimContributorRevenue(uint256 modelId, uint256 versionId) external returns (uint256 amount) {
        amount = contributorClaimableOf(modelId, versionId, msg.sender);
        if (amount == 0) return 0;
        contributorClaimedOf[modelId][versionId][msg.sender] += amount;
        _pay(msg.sender, amount);
        emit ContributorRevenueClaimed(modelId, versionId, msg.sender, amount);
    }

    // ---- governance ----

    /// @notice A model's split; the default until its governance sets one: node 10%, owners 70%,
    /// contributors 15%, treasury 5%.
    function getRevenueSplit(uint256 modelId) public view returns (RevenueSplit memory s) {
        s = _splits[modelId];
        if (s.node == 0 && s.owners == 0 && s.contributors == 0 && s.treasury == 0) {
            s = RevenueSplit(1000, 7000, 1500, 500);
        }
    }

    /// @notice Only the model's timelock; a constitutional proposal (it moves money between owners and others).
    function setRevenueSplit(uint256 modelId, RevenueSplit calldata s) external {
        if (msg.sender != _modelAddresses(modelId).timelock) revert RevenueSplitUnauthorized(modelId, msg.sender);
        uint256 sum = uint256(s.node) + s.owners + s.contributors + s.treasury;
        if (sum != BPS) revert RevenueSplitInvalid(sum);
        _splits[modelId] = s;
        emit RevenueSplitChanged(modelId, s);
    }

    // ---- internals ----

    function _redeem(SignedVoucher calldata sv) private returns (uint256 paid) {
        Voucher calldata v = sv.voucher;
        if (msg.sender != v.provider) revert VoucherWrongProvider(v.provider, msg.sender);
        address signer = ECDSA.recoverCalldata(voucherDigest(v), sv.signature);
        if (!isSigner(v.consumer, signer)) revert VoucherBadSignature(v.consumer, signer);
        bytes32 id = channelId(v.consumer, signer, v.provider, v.modelId, v.versionId);
        uint256 done = redeemedOf[id];
        if (v.cumulativeAmount <= done) revert VoucherNotIncreasing(id, done, v.cumulativeAmount);
        paid = v.cumulativeAmount - done;
        uint256 d = depositOf[v.consumer];
        if (paid > d) revert VoucherExceedsDeposit(v.consumer, d, paid);
        depositOf[v.consumer] = d - paid;
        redeemedOf[id] = v.cumulativeAmount;
        emit VoucherRedeemed(id, v.consumer, v.provider, v.modelId, v.versionId, v.cumulativeAmount, paid);
    }

    /// @dev Credits the provider's and contributors' parts; returns the owners' and treasury's parts to pay.
    function _allocate(uint256 modelId, uint256 versionId, uint256 amount)
        private
        returns (uint256 toOwners, uint256 toTreasury)
    {
        RevenueSplit memory s = getRevenueSplit(modelId);
        uint256 toNode = (amount * s.node) / BPS;
        uint256 toContributors = (amount * s.contributors) / BPS;
        toTreasury = (amount * s.treasury) / BPS;
        if (trainingJobOf[modelId][versionId] == 0) {
            toContributors = 0; // no training job: the contributors' part goes to the owners
        } else {
            contributorPoolOf[modelId][versionId] += toContributors;
        }
        // The owners get the remainder, so every wei of `amount` is assigned.
        toOwners = amount - toNode - toContributors - toTreasury;
        nodeEarningsOf[msg.sender] += toNode;
    }

    /// @dev Revenue "arrives" here: the owners' part goes to the holders of this moment.
    function _flush(uint256 modelId, uint256 toOwners, uint256 toTreasury) private {
        ModelAddresses memory m = _modelAddresses(modelId);
        if (toTreasury > 0) _pay(m.timelock, toTreasury);
        if (toOwners == 0) return;
        if (currency == address(0)) IEscrowShares(m.shares).distributeRevenue{value: toOwners}();
        else IEscrowShares(m.shares).distributeTokenRevenue(toOwners);
    }

    function _modelAddresses(uint256 modelId) private returns (ModelAddresses memory m) {
        m = _models[modelId];
        if (m.shares == address(0)) {
            ModelRegistry.Model memory model = registry.getModel(modelId);
            m = ModelAddresses(model.shares, model.timelock);
            _models[modelId] = m;
            // Once per model: the shares contract pulls the owners' part (it only ever takes from its caller).
            if (currency != address(0)) _approveMax(m.shares);
        }
    }
}
