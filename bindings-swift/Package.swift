// swift-tools-version:5.9
// SwiftPM package for wacrm. Build the static library (or the xcframework with
// scripts/build-xcframework.sh) before `swift build`; the generated sources in
// Sources/ are produced by uniffi from the Rust crate and checked in.
import PackageDescription

let package = Package(
    name: "Wacrm",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "Wacrm", targets: ["Wacrm"]),
    ],
    targets: [
        .systemLibrary(name: "WacrmFFI", path: "Sources/WacrmFFI"),
        .target(
            name: "Wacrm",
            dependencies: ["WacrmFFI"],
            path: "Sources/Wacrm",
            linkerSettings: [.linkedLibrary("wacrm_swift"), .unsafeFlags(["-L../target/release"])]
        ),
        .testTarget(name: "WacrmTests", dependencies: ["Wacrm"], path: "Tests/WacrmTests"),
    ]
)
