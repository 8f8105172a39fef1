#include "core/dtls/Certificate.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <fstream>
#include <iterator>

namespace cascade::dtls {
namespace {

[[noreturn]] void Throw(const std::string& what) {
  const unsigned long code = ERR_get_error();
  std::string message = what;
  if (code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    message += ": ";
    message += buffer;
  }
  ERR_clear_error();
  throw CertificateError(message);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CertificateError("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <typename Write>
std::string ToPem(Write write) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || write(bio) != 1) {
    BIO_free(bio);
    Throw("PEM encoding failed");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

}  // namespace

Certificate::Certificate(x509_st* x509, evp_pkey_st* key) : x509_(x509), key_(key) {
  auto fingerprint = Fingerprint::Of(x509_, FingerprintAlgorithm::kSha256);
  if (!fingerprint) {
    X509_free(x509_);
    EVP_PKEY_free(key_);
    Throw("certificate digest failed");
  }
  fingerprint_ = *fingerprint;
}

Certificate::~Certificate() {
  X509_free(x509_);
  EVP_PKEY_free(key_);
}

std::unique_ptr<Certificate> Certificate::Generate(const std::string& common_name, int valid_days) {
  // ECDSA P-256: what browsers generate and accept everywhere (RFC 8827 §6.5 lists it).
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) Throw("P-256 key generation failed");
  X509* x509 = X509_new();
  if (x509 == nullptr) {
    EVP_PKEY_free(key);
    Throw("X509_new failed");
  }
  auto fail = [&](const char* what) {
    X509_free(x509);
    EVP_PKEY_free(key);
    Throw(what);
  };
  // Random positive 63-bit serial, so two generated certificates never share one.
  uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial)) != 1) fail("RAND_bytes failed");
  serial >>= 1;
  if (X509_set_version(x509, X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(x509), serial) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(x509), -24L * 3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x509), static_cast<long>(valid_days) * 24 * 3600) == nullptr ||
      X509_set_pubkey(x509, key) != 1) {
    fail("certificate fields");
  }
  X509_NAME* name = X509_get_subject_name(x509);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(x509, name) != 1) {
    fail("certificate name");
  }
  if (X509_sign(x509, key, EVP_sha256()) == 0) fail("certificate signing failed");
  return std::unique_ptr<Certificate>(new Certificate(x509, key));
}

std::unique_ptr<Certificate> Certificate::FromPem(const std::string& certificate_pem,
                                                  const std::string& key_pem) {
  BIO* cert_bio = BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size()));
  X509* x509 = cert_bio != nullptr ? PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(cert_bio);
  if (x509 == nullptr) Throw("invalid certificate PEM");
  BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = key_bio != nullptr ? PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(key_bio);
  if (key == nullptr) {
    X509_free(x509);
    Throw("invalid private key PEM");
  }
  if (X509_check_private_key(x509, key) != 1) {
    X509_free(x509);
    EVP_PKEY_free(key);
    Throw("private key does not match the certificate");
  }
  return std::unique_ptr<Certificate>(new Certificate(x509, key));
}

std::unique_ptr<Certificate> Certificate::LoadPemFiles(const std::string& certificate_path,
                                                       const std::string& key_path) {
  return FromPem(ReadFile(certificate_path), ReadFile(key_path));
}

std::string Certificate::CertificatePem() const {
  return ToPem([this](BIO* bio) { return PEM_write_bio_X509(bio, x509_); });
}

std::string Certificate::PrivateKeyPem() const {
  return ToPem([this](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key_, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

}  // namespace cascade::dtls
