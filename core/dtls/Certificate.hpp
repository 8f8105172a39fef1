#pragma once
// The DTLS identity of this process: an ECDSA P-256 key and a self-signed certificate,
// generated at start (WebRTC peers authenticate by fingerprint, RFC 8827 §6.5, so no CA
// is involved) or loaded from PEM files so that the fingerprint survives restarts.
// Control path: failures throw CertificateError.
#include <memory>
#include <stdexcept>
#include <string>

#include "core/dtls/Fingerprint.hpp"

struct x509_st;      // OpenSSL's X509
struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace cascade::dtls {

class CertificateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Certificate {
 public:
  // A fresh P-256 key and a certificate valid from a day ago for `valid_days`.
  static std::unique_ptr<Certificate> Generate(const std::string& common_name = "cascade",
                                               int valid_days = 30);
  static std::unique_ptr<Certificate> FromPem(const std::string& certificate_pem, const std::string& key_pem);
  static std::unique_ptr<Certificate> LoadPemFiles(const std::string& certificate_path,
                                                   const std::string& key_path);

  ~Certificate();
  Certificate(const Certificate&) = delete;
  Certificate& operator=(const Certificate&) = delete;

  // SHA-256 of the DER certificate, the form we put in our SDP.
  const Fingerprint& fingerprint() const { return fingerprint_; }
  std::string CertificatePem() const;
  std::string PrivateKeyPem() const;

  x509_st* x509() const { return x509_; }
  evp_pkey_st* key() const { return key_; }

 private:
  Certificate(x509_st* x509, evp_pkey_st* key);

  x509_st* x509_;     // owned (X509_free)
  evp_pkey_st* key_;  // owned (EVP_PKEY_free)
  Fingerprint fingerprint_;
};

}  // namespace cascade::dtls
