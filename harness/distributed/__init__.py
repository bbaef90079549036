"""The evaluation's boot cells on a Dask cluster (`secns run --dask-ssh/--dask-scheduler`)."""
