"""Container images: the app image of dytt's own processes and local stand-ins for the official
infrastructure images, built from a Debian base made here (no image registry needed).

    engine     the Docker engine client (one line when none answers)
    catalog    what each local image is made of: base, Dockerfile, context, content hash
    debian     the base: `debootstrap` into a directory, `docker import`
    wheels     the app's dependencies as wheels, fetched on this machine
    builder    builds what is missing or changed, skips the rest
    choice     which image a component runs: the official one or the local stand-in
"""
