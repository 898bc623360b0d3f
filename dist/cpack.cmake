# The Debian package: `cpack -G DEB` in a build configured with
# -DCMAKE_INSTALL_PREFIX=/usr -DDIGEST_PACKAGE=ON (scripts/package-test.sh
# does it, lints it with lintian, installs, runs and purges it).
# Included from CMakeLists.txt.

set(DIGEST_MAINTAINER "Meeting digest maintainers <maintainers@example.com>"
	CACHE STRING "the Maintainer field of the Debian package")

# The copyright and changelog every Debian package carries.
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/debian/changelog.gz
	COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/debian
	COMMAND gzip -9nc ${CMAKE_SOURCE_DIR}/dist/debian/changelog
		> ${CMAKE_BINARY_DIR}/debian/changelog.gz
	DEPENDS ${CMAKE_SOURCE_DIR}/dist/debian/changelog VERBATIM)
add_custom_target(debian-changelog ALL
	DEPENDS ${CMAKE_BINARY_DIR}/debian/changelog.gz)
install(FILES ${CMAKE_SOURCE_DIR}/dist/debian/copyright
	${CMAKE_BINARY_DIR}/debian/changelog.gz
	DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME digest)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${DIGEST_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Libraries from dpkg-shlibdeps; adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus-node-exporter")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"mails each person a digest of their next day's meetings")
# CPack indents these lines and turns the empty one into " .".
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"digest is a batch job for the morning: for every connected user it
fetches the next day's meetings from Outlook Calendar (Microsoft Graph),
matches the attendees to a roster of people and their work-style
assessment results, and mails a digest with tips for meeting each person.

The package runs a recorded demo tenant out of the box; point
/etc/digest/digest.toml at Microsoft Graph and an SMTP relay, then enable
digest.timer.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
	${CMAKE_SOURCE_DIR}/dist/debian/conffiles
	${CMAKE_SOURCE_DIR}/dist/debian/postinst
	${CMAKE_SOURCE_DIR}/dist/debian/prerm
	${CMAKE_SOURCE_DIR}/dist/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
