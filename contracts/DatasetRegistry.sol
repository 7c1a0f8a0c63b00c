// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title DatasetRegistry
/// @notice Datasets offered to the commons. A record holds the content root of the dataset's manifest (never
/// the data, which stays on its owner's node), its SPDX licence id, its consent terms (URI and hash), the
/// purposes it may serve and its owner. Only the owner grants or revokes licences to other members and
/// withdraws the dataset; a withdrawal is final. It has no admin: nobody else can change a record.
contract DatasetRegistry {
    struct Dataset {
        address owner;
        bytes32 manifestRoot;
        string licence; // SPDX licence id, e.g. "CC-BY-4.0"
        string consentUri;
        bytes32 consentHash;
        bytes32[] purposes; // purpose ids the consent allows (e.g. keccak256("research"))
        uint64 registeredAt;
        uint64 withdrawnAt; // 0 while offered
    }

    uint256 public constant MAX_PURPOSES = 32;
    uint256 public constant MAX_TEXT_BYTES = 256;

    uint256 public datasetCount;
    mapping(uint256 datasetId => Dataset) private _datasets;
    mapping(uint256 datasetId => mapping(address account => bool)) public hasLicence;

    event DatasetRegistered(uint256 indexed datasetId, address indexed owner, bytes32 manifestRoot, string licence);
    event DatasetWithdrawn(uint256 indexed datasetId, address indexed owner);
    event LicenceGranted(uint256 indexed datasetId, address indexed licensee);
    event LicenceRevoked(uint256 indexed datasetId, address indexed licensee);

    error DatasetUnknown(uint256 datasetId);
    error DatasetNotOwner(uint256 datasetId, address caller);
    error DatasetAlreadyWithdrawn(uint256 datasetId);
    error DatasetInvalid();

    /// @notice Registers a dataset owned by the caller; returns its id (1, 2, ...).
    function register(
        bytes32 manifestRoot,
        string calldata licence,
        string calldata consentUri,
        bytes32 consentHash,
        bytes32[] calldata purposes
    ) external returns (uint256 datasetId) {
        if (
            manifestRoot == bytes32(0) || bytes(licence).length == 0 || bytes(licence).length > MAX_TEXT_BYTES
                || bytes(consentUri).length > MAX_TEXT_BYTES || purposes.length == 0 || purposes.length > MAX_PURPOSES
        ) revert DatasetInvalid();
        for (uint256 i = 0; i < purposes.length; i++) {
            if (purposes[i] == bytes32(0)) revert DatasetInvalid();
        }
        datasetId = ++datasetCount;
        Dataset storage d = _datasets[datasetId];
        d.owner = msg.sender;
        d.manifestRoot = manifestRoot;
        d.licence = licence;
        d.consentUri = consentUri;
        d.consentHash = consentHash;
        d.purposes = purposes;
        d.registeredAt = uint64(block.timestamp);
        emit DatasetRegistered(datasetId, msg.sender, manifestRoot, licence);
    }

    /// @notice The owner withdraws its dataset: no round may use it afterwards. Final.
    function withdraw(uint256 datasetId) external {
        Dataset storage d = _ownedBy(datasetId, msg.sender);
        if (d.withdrawnAt != 0) revert DatasetAlreadyWithdrawn(datasetId);
        d.withdrawnAt = uint64(block.timestamp);
        emit DatasetWithdrawn(datasetId, msg.sender);
    }

    /// @notice The owner lets another member train on its dataset (on that member's copy, under the same terms).
    function grantLicence(uint256 datasetId, address licensee) external {
        _ownedBy(datasetId, msg.sender);
        if (licensee == address(0)) revert DatasetInvalid();
        hasLicence[datasetId][licensee] = true;
        emit LicenceGranted(datasetId, licensee);
    }

    function revokeLicence(uint256 datasetId, address licensee) external {
        _ownedBy(datasetId, msg.sender);
        hasLicence[datasetId][licensee] = false;
        emit LicenceRevoked(datasetId, licensee);
    }

    /// @notice Whether `account` may train on the dataset now: it exists, is not withdrawn, and `account` owns it
    /// or holds a licence.
    function mayUse(uint256 datasetId, address account) public view returns (bool) {
        Dataset storage d = _datasets[datasetId];
        return d.owner != address(0) && d.withdrawnAt == 0 && (d.owner == account || hasLicence[datasetId][account]);
    }

    /// @notice Whether the dataset's consent terms allow `purpose`.
    function allowsPurpose(uint256 datasetId, bytes32 purpose) external view returns (bool) {
        bytes32[] storage p = _dataset(datasetId).purposes;
        for (uint256 i = 0; i < p.length; i++) {
            if (p[i] == purpose) return true;
        }
        return false;
    }

    function ownerOf(uint256 datasetId) external view returns (address) {
        return _dataset(datasetId).owner;
    }

    function getDataset(uint256 datasetId) external view returns (Dataset memory) {
        return _dataset(datasetId);
    }

    function _dataset(uint256 datasetId) private view returns (Dataset storage d) {
        d = _datasets[datasetId];
        if (d.owner == address(0)) revert DatasetUnknown(datasetId);
    }

    function _ownedBy(uint256 datasetId, address caller) private view returns (Dataset storage d) {
        d = _dataset(datasetId);
        if (d.owner != caller) revert DatasetNotOwner(datasetId, caller);
    }
}
