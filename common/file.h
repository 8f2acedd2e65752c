// Reading a whole file with a size bound checked before the contents are
// read: configuration, genesis, key and safety files are untrusted input.
// Thread-safety: a free function.
#pragma once

#include <cstddef>
#include <fstream>
#include <string>

#include "common/status.h"

namespace ipl {

// io_error when the file cannot be opened or read; limit when it is larger
// than max_bytes (nothing is read then).
inline Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return Status::io_error("cannot open " + path);
  const std::streamoff size = f.tellg();
  if (size < 0) return Status::io_error("cannot read " + path);
  if (static_cast<size_t>(size) > max_bytes) {
    return Status::limit(path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::string out(static_cast<size_t>(size), '\0');
  f.seekg(0);
  if (!f.read(out.data(), size)) return Status::io_error("cannot read " + path);
  return out;
}

}  // namespace ipl
