#include <doctest/doctest.h>
#include <openssl/x509.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <string>

#include "core/dtls/Certificate.hpp"
#include "core/dtls/Fingerprint.hpp"

using namespace cascade::dtls;

TEST_CASE("Certificate generates a P-256 self-signed certificate with an SDP fingerprint") {
  auto cert = Certificate::Generate();
  REQUIRE(cert != nullptr);
  CHECK(EVP_PKEY_is_a(cert->key(), "EC"));
  CHECK(X509_check_private_key(cert->x509(), cert->key()) == 1);
  CHECK(X509_verify(cert->x509(), cert->key()) == 1);  // self-signed

  const std::string text = cert->fingerprint().ToString();
  // RFC 8122 §5: "sha-256" SP 32 uppercase hex pairs joined by colons.
  REQUIRE(text.size() == 8 + 32 * 3 - 1);
  CHECK(text.substr(0, 8) == "sha-256 ");
  for (size_t i = 8; i < text.size(); ++i) {
    const char c = text[i];
    if ((i - 8) % 3 == 2) {
      CHECK(c == ':');
    } else {
      CHECK(((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')));  // uppercase hex
    }
  }
  auto parsed = Fingerprint::Parse(text);
  REQUIRE(parsed.has_value());
  CHECK(*parsed == cert->fingerprint());

  auto other = Certificate::Generate();
  CHECK_FALSE(other->fingerprint() == cert->fingerprint());
}

TEST_CASE("Certificate round-trips through PEM files") {
  auto cert = Certificate::Generate("pem-test", 365);
  const std::string cert_path = "/tmp/cascade_test_cert_" + std::to_string(::getpid()) + ".pem";
  const std::string key_path = "/tmp/cascade_test_key_" + std::to_string(::getpid()) + ".pem";
  std::ofstream(cert_path) << cert->CertificatePem();
  std::ofstream(key_path) << cert->PrivateKeyPem();
  auto loaded = Certificate::LoadPemFiles(cert_path, key_path);
  CHECK(loaded->fingerprint() == cert->fingerprint());

  auto other = Certificate::Generate();
  std::ofstream(key_path) << other->PrivateKeyPem();
  CHECK_THROWS_AS(Certificate::LoadPemFiles(cert_path, key_path), CertificateError);
  CHECK_THROWS_AS(Certificate::FromPem("not a pem", cert->PrivateKeyPem()), CertificateError);
  CHECK_THROWS_AS(Certificate::LoadPemFiles("/nonexistent/cert.pem", key_path), CertificateError);
  std::remove(cert_path.c_str());
  std::remove(key_path.c_str());
}

TEST_CASE("Fingerprint parses the SDP forms and rejects malformed ones") {
  const std::string sha256 =
      "sha-256 "
      "D1:2A:3B:4C:5D:6E:7F:80:91:A2:B3:C4:D5:E6:F7:08:19:2A:3B:4C:5D:6E:7F:80:91:A2:B3:C4:D5:E6:F7:08";
  struct Case {
    std::string text;
    bool ok;
  };
  const Case cases[] = {
      {sha256, true},
      {"SHA-256" + sha256.substr(7), true},      // hash name is case-insensitive
      {"sha-256 d1" + sha256.substr(10), true},  // lowercase hex accepted
      {"sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33", true},
      {sha256.substr(0, sha256.size() - 3), false},                    // one byte short
      {sha256 + ":00", false},                                         // one byte long
      {"md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", false},  // not accepted
      {"sha-256", false},                                              // no digest
      {"sha-256  D1" + sha256.substr(10), false},                      // two spaces
      {"sha-256 G1" + sha256.substr(10), false},                       // not hex
      {"sha-256 D1-2A" + sha256.substr(13), false},                    // wrong separator
      {"", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto parsed = Fingerprint::Parse(c.text);
    CHECK(parsed.has_value() == c.ok);
  }
  auto parsed = Fingerprint::Parse(sha256);
  REQUIRE(parsed);
  CHECK(parsed->algorithm() == FingerprintAlgorithm::kSha256);
  CHECK(parsed->digest().size() == 32);
  CHECK(parsed->digest()[0] == 0xd1);
  CHECK(parsed->ToString() == sha256);
  CHECK(Fingerprint::Parse("sha-256 d1" + sha256.substr(10))->ToString() ==
        sha256);  // normalised to uppercase
}
