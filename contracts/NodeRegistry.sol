// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title NodeRegistry
/// @notice Member nodes: each node registers itself with its public key, from which the contract derives
/// both its address (the caller) and its libp2p PeerId, so a PeerId in this registry provably belongs to
/// the address that registered it. A node updates or removes only its own entry.
contract NodeRegistry {
    struct Node {
        bytes peerId; // libp2p PeerId bytes: identity multihash of the protobuf secp256k1 public key
        string[] multiaddrs;
        string[] capabilities;
        uint64 registeredAt;
        uint64 updatedAt;
    }

    uint256 public constant MAX_ADDRS = 16;
    uint256 public constant MAX_CAPABILITIES = 32;
    uint256 public constant MAX_ITEM_BYTES = 256;

    mapping(address node => Node) private _nodes;
    address[] private _addresses;
    mapping(address node => uint256 indexPlusOne) private _index;

    event NodeRegistered(address indexed node, bytes peerId);
    event NodeUpdated(address indexed node);
    event NodeDeregistered(address indexed node);

    error NodePublicKeyMismatch(address caller);
    error NodeInvalidPublicKey();
    error NodeTooManyItems(uint256 count, uint256 max);
    error NodeItemTooLong(uint256 length, uint256 max);
    error NodeNotRegistered(address node);

    /// @notice Registers (or re-registers) the caller. `publicKey` is the uncompressed secp256k1 key (x || y).
    function register(bytes calldata publicKey, string[] calldata multiaddrs, string[] calldata capabilities) external {
        if (publicKey.length != 64) revert NodeInvalidPublicKey();
        if (address(uint160(uint256(keccak256(publicKey)))) != msg.sender) revert NodePublicKeyMismatch(msg.sender);
        _checkItems(multiaddrs, MAX_ADDRS);
        _checkItems(capabilities, MAX_CAPABILITIES);
        bytes1 prefix = uint8(publicKey[63]) & 1 == 0 ? bytes1(0x02) : bytes1(0x03);
        // PeerId = identity multihash (0x00, len 0x25) of protobuf PublicKey{Type: Secp256k1 (2), Data: 33 bytes}.
        bytes memory peerId = abi.encodePacked(hex"002508021221", prefix, publicKey[0:32]);
        Node storage n = _nodes[msg.sender];
        n.peerId = peerId;
        _copy(n.multiaddrs, multiaddrs);
        _copy(n.capabilities, capabilities);
        n.updatedAt = uint64(block.timestamp);
        if (_index[msg.sender] == 0) {
            n.registeredAt = uint64(block.timestamp);
            _addresses.push(msg.sender);
            _index[msg.sender] = _addresses.length;
            emit NodeRegistered(msg.sender, peerId);
        } else {
            emit NodeUpdated(msg.sender);
        }
    }

    /// @notice Removes the caller's entry.
    function deregister() external {
        uint256 i = _index[msg.sender];
        if (i == 0) revert NodeNotRegistered(msg.sender);
        address last = _addresses[_addresses.length - 1];
        _addresses[i - 1] = last;
        _index[last] = i;
        _addresses.pop();
        delete _index[msg.sender];
        delete _nodes[msg.sender];
        emit NodeDeregistered(msg.sender);
    }

    function isRegistered(address node) external view returns (bool) {
        return _index[node] != 0;
    }

    function getNode(address node) external view returns (Node memory) {
        if (_index[node] == 0) revert NodeNotRegistered(node);
        return _nodes[node];
    }

    function nodeCount() external view returns (uint256) {
        return _addresses.length;
    }

    function nodeAddresses() external view returns (address[] memory) {
        return _addresses;
    }

    function _copy(string[] storage to, string[] calldata from) private {
        while (to.length > 0) to.pop();
        for (uint256 i = 0; i < from.length; i++) {
            to.push(from[i]);
        }
    }

    function _checkItems(string[] calldata items, uint256 max) private pure {
        if (items.length > max) revert NodeTooManyItems(items.length, max);
        for (uint256 i = 0; i < items.length; i++) {
            if (bytes(items[i]).length > MAX_ITEM_BYTES) revert NodeItemTooLong(bytes(items[i]).length, MAX_ITEM_BYTES);
        }
    }
}
