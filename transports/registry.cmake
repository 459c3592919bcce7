# registry.cmake - how a stack's folder joins the build (transports/README.md,
# "Adding a transport"). The top-level CMakeLists.txt includes this file,
# visits every transports/<stack>/ that holds a CMakeLists.txt, then calls
# rb_write_registries(), which writes into the build tree
#   transports/transport_registry.c   rb_transports[]: every table registered,
#                                     by the table's `order` field, ties by name
#   transports/codec_registry.c       rb_codecs[]: the core's codecs, then each
#                                     stack's, stacks by folder name
# from what the folders registered. No file lists the stacks by hand.
#
# A stack's CMakeLists.txt:
#   option(RB_WITH_<STACK> "..." ON)  and  return() when it is OFF;
#   its library probe; when a library is missing,
#       rb_drop_transport(<stack> "<lib> not found (scripts/deps installs <pkg>)")
#       return()
#   add_library(rb_tr_<stack> STATIC ...) linking rb_core and its libraries;
#   rb_transport(<stack> LIBRARY rb_tr_<stack> TABLES <table>... [CODECS <codec>...])

# rb_transport(STACK LIBRARY target TABLES table... [CODECS codec...])
# Registers a built stack: its library (linked into rpcbench), its
# `const rb_transport` tables and its `const rb_codec` tables. Each table's
# `order` and `name` are read from its definition in the library's sources
# (`const rb_transport <table> = { ... .order = N, ... }`), so the display
# order has one source, the table; CMake reruns when that file changes.
function(rb_transport STACK)
  cmake_parse_arguments(A "" "LIBRARY" "TABLES;CODECS" ${ARGN})
  if(NOT A_LIBRARY OR NOT A_TABLES OR A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "rb_transport(${STACK} LIBRARY target TABLES table... [CODECS codec...]): "
                        "got '${ARGN}'")
  endif()
  get_target_property(srcs ${A_LIBRARY} SOURCES)
  foreach(table ${A_TABLES})
    _rb_table_key(${table} "${srcs}" key)
    set_property(GLOBAL APPEND PROPERTY RB_TRANSPORT_TABLES "${key}")
  endforeach()
  set_property(GLOBAL APPEND PROPERTY RB_CODEC_TABLES ${A_CODECS})
  set_property(GLOBAL APPEND PROPERTY RB_TRANSPORTS_BUILT ${STACK})
  set_property(GLOBAL APPEND PROPERTY RB_TRANSPORT_LIBS ${A_LIBRARY})
endfunction()

# rb_codecs(codec...): codecs of the core (services/), registered before any
# stack's.
function(rb_codecs)
  set_property(GLOBAL APPEND PROPERTY RB_CODEC_TABLES ${ARGN})
endfunction()

# rb_drop_transport(STACK WHY): the warning of a stack whose libraries are
# missing; the caller then return()s, and the rest still builds. WHY names
# the Debian package that brings the library.
function(rb_drop_transport STACK WHY)
  message(WARNING "${STACK}: ${WHY}; transport dropped")
endfunction()

# The sort key "<order, 9 digits>|<name>|<table>" of TABLE, defined in one
# of SOURCES (relative to the calling folder; generated ones are skipped).
function(_rb_table_key TABLE SOURCES OUT)
  foreach(src ${SOURCES})
    if(NOT src MATCHES "\\.c$")
      continue()
    endif()
    if(NOT IS_ABSOLUTE "${src}")
      set(src ${CMAKE_CURRENT_SOURCE_DIR}/${src})
    endif()
    if(NOT EXISTS "${src}")
      continue()
    endif()
    file(READ "${src}" text)
    string(FIND "${text}" "const rb_transport ${TABLE} = {" at)
    if(at EQUAL -1)
      continue()
    endif()
    string(SUBSTRING "${text}" ${at} -1 text)
    string(FIND "${text}" "\n};" end)
    string(SUBSTRING "${text}" 0 ${end} text)
    if(NOT text MATCHES "\\.order[ \t]*=[ \t]*([0-9]+)[ \t]*,")
      message(FATAL_ERROR "${src}: ${TABLE} has no `.order = <non-negative integer>,` "
                          "(the registry is ordered by it)")
    endif()
    set(order ${CMAKE_MATCH_1})
    if(NOT text MATCHES "\\.name[ \t]*=[ \t]*\"([^\"]+)\"")
      message(FATAL_ERROR "${src}: ${TABLE} has no `.name = \"...\"`")
    endif()
    set(name ${CMAKE_MATCH_1})
    string(LENGTH "${order}" n)
    if(n GREATER 9)
      message(FATAL_ERROR "${src}: ${TABLE}'s order ${order} has more than 9 digits")
    endif()
    while(n LESS 9)
      string(PREPEND order "0")
      math(EXPR n "${n} + 1")
    endwhile()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${src}")
    set(${OUT} "${order}|${name}|${TABLE}" PARENT_SCOPE)
    return()
  endforeach()
  message(FATAL_ERROR "${CMAKE_CURRENT_SOURCE_DIR}: no `const rb_transport ${TABLE} = {` "
                      "in the sources of the library given to rb_transport()")
endfunction()

# rb_write_registries(): after every stack's folder was visited. Writes the
# two registries and sets, in the caller's scope:
#   RB_REGISTRY_SOURCES   the two generated files (rpcbench compiles them)
#   RB_TRANSPORTS_BUILT   the stacks built, by folder name
#   RB_TRANSPORT_LIBS     their libraries
#   RB_HAVE_<STACK>       ON for each stack built (tests ask for a stack)
#   RB_TRANSPORT_DEFS     RB_HAVE_<STACK> for each, as compile definitions
function(rb_write_registries)
  set(out ${PROJECT_BINARY_DIR}/transports)
  get_property(keys GLOBAL PROPERTY RB_TRANSPORT_TABLES)
  list(SORT keys)
  set(RB_REGISTRY_DECLS "")
  set(RB_REGISTRY_ENTRIES "")
  foreach(key ${keys})
    string(REGEX REPLACE "^.*\\|" "" table "${key}")
    string(APPEND RB_REGISTRY_DECLS "extern const rb_transport ${table};\n")
    string(APPEND RB_REGISTRY_ENTRIES "    &${table},\n")
  endforeach()
  configure_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/transport_registry.c.in
                 ${out}/transport_registry.c @ONLY)

  get_property(codecs GLOBAL PROPERTY RB_CODEC_TABLES)
  set(RB_REGISTRY_DECLS "")
  set(RB_REGISTRY_ENTRIES "")
  foreach(codec ${codecs})
    string(APPEND RB_REGISTRY_DECLS "extern const rb_codec ${codec};\n")
    string(APPEND RB_REGISTRY_ENTRIES "    &${codec},\n")
  endforeach()
  configure_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/codec_registry.c.in
                 ${out}/codec_registry.c @ONLY)

  get_property(built GLOBAL PROPERTY RB_TRANSPORTS_BUILT)
  get_property(libs GLOBAL PROPERTY RB_TRANSPORT_LIBS)
  set(defs "")
  foreach(stack ${built})
    string(MAKE_C_IDENTIFIER "${stack}" id)
    string(TOUPPER "${id}" id)
    set(RB_HAVE_${id} ON PARENT_SCOPE)
    list(APPEND defs RB_HAVE_${id})
  endforeach()
  set(RB_REGISTRY_SOURCES ${out}/transport_registry.c ${out}/codec_registry.c PARENT_SCOPE)
  set(RB_TRANSPORTS_BUILT "${built}" PARENT_SCOPE)
  set(RB_TRANSPORT_LIBS "${libs}" PARENT_SCOPE)
  set(RB_TRANSPORT_DEFS "${defs}" PARENT_SCOPE)
endfunction()
