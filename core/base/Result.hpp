#pragma once
// A value or a typed error, for the packet path where exceptions are not used
// (std::expected arrives only in C++23).
#include <cassert>
#include <utility>
#include <variant>

namespace cascade::base {

template <typename E>
struct Unexpected {
  E error;
};

template <typename E>
Unexpected<E> Fail(E error) {
  return Unexpected<E>{error};
}

template <typename T, typename E>
class Result {
 public:
  Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Unexpected<E> failure) : storage_(std::in_place_index<1>, failure.error) {}  // NOLINT

  bool ok() const { return storage_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() {
    assert(ok());
    return std::get<0>(storage_);
  }
  const T& value() const {
    assert(ok());
    return std::get<0>(storage_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

  E error() const {
    assert(!ok());
    return std::get<1>(storage_);
  }

 private:
  std::variant<T, E> storage_;
};

}  // namespace cascade::base
