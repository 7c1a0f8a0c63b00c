// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ModelRegistry} from "./ModelRegistry.sol";

/// @title UsageTerms
/// @notice Records which version of a model's usage terms each consumer accepted. A consumer accepts the
/// terms in force (their hash, from the model's policy in the registry) by sending a transaction, or by
/// signing an EIP-712 `Acceptance` that anyone may relay (a consumer with no gas money, through a node).
/// An acceptance names the exact hash, so it never carries over to new terms. No owner.
contract UsageTerms is EIP712 {
    bytes32 public constant ACCEPTANCE_TYPEHASH =
        keccak256("Acceptance(uint256 modelId,address consumer,bytes32 termsHash,uint256 deadline)");

    ModelRegistry public immutable registry;

    /// @notice The terms hash each consumer accepted last, per model.
    mapping(uint256 modelId => mapping(address consumer => bytes32 termsHash)) public acceptedTerms;

    event TermsAccepted(uint256 indexed modelId, address indexed consumer, bytes32 termsHash);

    error TermsNotInForce(uint256 modelId, bytes32 given, bytes32 inForce);
    error TermsSignatureExpired(uint256 deadline);
    error TermsInvalidSignature(address consumer);

    constructor(ModelRegistry registry_) EIP712("Model Commons usage terms", "1") {
        registry = registry_;
    }

    /// @notice The caller accepts the model's terms in force, whose hash it states.
    function accept(uint256 modelId, bytes32 termsHash) external {
        _accept(modelId, msg.sender, termsHash);
    }

    /// @notice Records a consumer's signed acceptance; anyone may relay it.
    function acceptBySig(uint256 modelId, address consumer, bytes32 termsHash, uint256 deadline, bytes calldata signature)
        external
    {
        if (block.timestamp > deadline) revert TermsSignatureExpired(deadline);
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(ACCEPTANCE_TYPEHASH, modelId, consumer, termsHash, deadline)));
        if (!SignatureChecker.isValidSignatureNow(consumer, digest, signature)) revert TermsInvalidSignature(consumer);
        _accept(modelId, consumer, termsHash);
    }

    /// @notice Whether the consumer accepted the terms now in force (true when the model has none).
    function hasAccepted(uint256 modelId, address consumer) external view returns (bool) {
        bytes32 inForce = registry.getPolicy(modelId).termsHash;
        return inForce == bytes32(0) || acceptedTerms[modelId][consumer] == inForce;
    }

    function _accept(uint256 modelId, address consumer, bytes32 termsHash) private {
        bytes32 inForce = registry.getPolicy(modelId).termsHash;
        if (termsHash == bytes32(0) || termsHash != inForce) revert TermsNotInForce(modelId, termsHash, inForce);
        acceptedTerms[modelId][consumer] = termsHash;
        emit TermsAccepted(modelId, consumer, termsHash);
    }
}
