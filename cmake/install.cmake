# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
# Packaging, included at the very end of the top-level CMakeLists.txt (README.md, "Install").
#
#  * C++: `cmake --install <build> --prefix <prefix>` installs the libraries, the public headers
#    (include/mkldnn_rnn/*.hpp) and a CMake package, so that a project outside this tree writes
#        find_package(mkldnn_rnn 0.1 REQUIRED)                     # mkldnn_rnn::mkldnn_rnn, the core
#        find_package(mkldnn_rnn 0.1 REQUIRED COMPONENTS torch)    # and mkldnn_rnn::torch, the op library
#    (examples/find_package_consumer). `cpack -G DEB` in the build folder makes a .deb of the same files.
#  * Python: the wheel (setup.py) is made from this build folder: it installs the component `runtime`
#    (the two libraries) into a staging prefix, takes the files <build>/python/wheel_files.txt lists, and
#    the generated <build>/python/mkldnn_rnn/_build_info.py, which records the version and the torch the op
#    library was built against for mkldnn_rnn/_compat.py. Neither file is in the source tree.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(MKLDNN_RNN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/mkldnn_rnn" CACHE STRING
    "Where the CMake package files (mkldnn_rnnConfig.cmake, ...) are installed, relative to the prefix")

# --- The core: torch-free, oneDNN and OpenMP private (the headers include neither) -------------------
install(TARGETS mkldnn_rnn EXPORT mkldnn_rnnTargets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT runtime NAMELINK_COMPONENT development
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/mkldnn_rnn" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT development FILES_MATCHING PATTERN "*.hpp")
install(EXPORT mkldnn_rnnTargets NAMESPACE mkldnn_rnn:: FILE mkldnn_rnnTargets.cmake
  DESTINATION "${MKLDNN_RNN_INSTALL_CMAKEDIR}" COMPONENT development)

# --- The PyTorch op library: exported as mkldnn_rnn::torch ---------------------------------------------
set(MKLDNN_RNN_TORCH_VERSION "")
set(MKLDNN_RNN_CXX11_ABI "")
if(MKLDNN_RNN_BUILD_TORCH)
  # torch/CMakeLists.txt ran find_package(Torch) in its own scope: read its results from there.
  get_directory_property(MKLDNN_RNN_TORCH_VERSION DIRECTORY torch DEFINITION Torch_VERSION)
  get_directory_property(_mkldnn_rnn_torch_cxx_flags DIRECTORY torch DEFINITION TORCH_CXX_FLAGS)

  # The libstdc++ ABI the op library is compiled with: CMAKE_CXX_FLAGS then torch's own flags (Debian's
  # TorchConfig.cmake sets -D_GLIBCXX_USE_CXX11_ABI=1), or the compiler's default when neither says.
  # Asked of the compiler, so that it is what the build does, not what a flag is parsed to mean.
  set(_mkldnn_rnn_abi_key "${CMAKE_CXX_COMPILER};${CMAKE_CXX_FLAGS};${_mkldnn_rnn_torch_cxx_flags}")
  if(NOT "${_mkldnn_rnn_abi_key}" STREQUAL "${MKLDNN_RNN_CXX11_ABI_KEY}")
    unset(MKLDNN_RNN_HAVE_CXX11_ABI CACHE)
    set(MKLDNN_RNN_CXX11_ABI_KEY "${_mkldnn_rnn_abi_key}" CACHE INTERNAL "")
  endif()
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "${_mkldnn_rnn_torch_cxx_flags}")
  set(CMAKE_REQUIRED_QUIET ON)
  check_cxx_source_compiles("#include <string>
#if !_GLIBCXX_USE_CXX11_ABI
#error the old libstdc++ ABI
#endif
int main() { return 0; }" MKLDNN_RNN_HAVE_CXX11_ABI)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_QUIET)
  if(MKLDNN_RNN_HAVE_CXX11_ABI)
    set(MKLDNN_RNN_CXX11_ABI 1)
  else()
    set(MKLDNN_RNN_CXX11_ABI 0)
  endif()

  set_target_properties(mkldnn_rnn_torch PROPERTIES EXPORT_NAME torch)
  # For the installed target only (the build tree's own programs say it themselves): nothing references
  # the library's symbols, its static initialisers register the ops, and --as-needed would drop it.
  # A consumer of mkldnn_rnn::torch is a libtorch program: the target brings torch along (the package's
  # config file finds it with find_dependency(Torch)).
  target_link_options(mkldnn_rnn_torch INTERFACE $<INSTALL_INTERFACE:-Wl,--no-as-needed>)
  target_link_libraries(mkldnn_rnn_torch INTERFACE $<INSTALL_INTERFACE:torch>)
  install(TARGETS mkldnn_rnn_torch EXPORT mkldnn_rnnTorchTargets
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT runtime)
  install(EXPORT mkldnn_rnnTorchTargets NAMESPACE mkldnn_rnn:: FILE mkldnn_rnnTorchTargets.cmake
    DESTINATION "${MKLDNN_RNN_INSTALL_CMAKEDIR}" COMPONENT development)
endif()

# --- The package files --------------------------------------------------------------------------------
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/mkldnn_rnnConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cmake/mkldnn_rnnConfig.cmake"
  INSTALL_DESTINATION "${MKLDNN_RNN_INSTALL_CMAKEDIR}")
# 0.x: a minor release may change the API, so 0.1 accepts 0.1.* only.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/cmake/mkldnn_rnnConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/cmake/mkldnn_rnnConfig.cmake"
              "${PROJECT_BINARY_DIR}/cmake/mkldnn_rnnConfigVersion.cmake"
  DESTINATION "${MKLDNN_RNN_INSTALL_CMAKEDIR}" COMPONENT development)

# --- What the Python wheel takes from this build folder (setup.py) ---------------------------------------
if(MKLDNN_RNN_BUILD_TORCH)
  set(_mkldnn_rnn_py_torch_version "\"${MKLDNN_RNN_TORCH_VERSION}\"")
  if(MKLDNN_RNN_CXX11_ABI)
    set(_mkldnn_rnn_py_abi True)
  else()
    set(_mkldnn_rnn_py_abi False)
  endif()
else()
  set(_mkldnn_rnn_py_torch_version None)
  set(_mkldnn_rnn_py_abi None)
endif()
file(CONFIGURE OUTPUT "${PROJECT_BINARY_DIR}/python/mkldnn_rnn/_build_info.py" CONTENT
"# Generated by CMake (cmake/install.cmake) in the build folder; the wheel carries it. Do not edit.
VERSION = \"${PROJECT_VERSION}\"
TORCH_VERSION = ${_mkldnn_rnn_py_torch_version}  # the libtorch the op library was built against
CXX11_ABI = ${_mkldnn_rnn_py_abi}  # its _GLIBCXX_USE_CXX11_ABI, to match torch._C._GLIBCXX_USE_CXX11_ABI
" @ONLY)
# The libraries the wheel carries, one a line, relative to the prefix of `cmake --install --component
# runtime` (installed, not taken from the build tree: the install drops the build tree's own RUNPATH entries
# and leaves $ORIGIN). The core goes under its SONAME, the name the op library's DT_NEEDED asks for (the
# other two names are symlinks to the same file).
if(MKLDNN_RNN_BUILD_TORCH)
  file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/python/wheel_files.txt" CONTENT
"${CMAKE_INSTALL_LIBDIR}/$<TARGET_SONAME_FILE_NAME:mkldnn_rnn>
${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:mkldnn_rnn_torch>
")
endif()

# --- cpack -G DEB (in the build folder, after building): a .deb of what `cmake --install` installs -----
set(CPACK_PACKAGE_NAME "mkldnn-rnn")
set(CPACK_PACKAGE_VENDOR "The mkldnn_rnn authors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "PyTorch's LSTM, GRU and RNN for CPU inference on oneDNN")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "The mkldnn_rnn authors")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: from the libraries' DT_NEEDED (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_SECTION "libs")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_GENERATOR "DEB")
include(CPack)
