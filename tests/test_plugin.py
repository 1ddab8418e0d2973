"""The pytest plugin, used from an application's own test suite (pytester runs a real inner pytest)."""

pytest_plugins = ["pytester"]


def test_fixture_gives_running_emulator_and_client(pytester):
    pytester.makepyfile(
        """
        def test_app(s3_client, s3_emulator):
            s3_client.put_object(Bucket="test-bucket", Key="a/b", Body=b"data")
            assert s3_client.get_object(Bucket="test-bucket", Key="a/b")["Body"].read() == b"data"
            assert s3_emulator.endpoint_url.startswith("http://127.0.0.1:")
            assert ("PUT", "/test-bucket/a/b", 200, "PutObject") in s3_emulator.requests

        def test_isolated(s3_client):
            assert "Contents" not in s3_client.list_objects(Bucket="test-bucket")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_fixture_over_tls(pytester):
    pytester.makepyfile(
        """
        def test_app(s3_client, s3_emulator):
            assert s3_emulator.endpoint_url.startswith("https://")
            s3_client.put_object(Bucket="test-bucket", Key="k", Body=b"x" * 100)
            assert s3_client.get_object(Bucket="test-bucket", Key="k")["Body"].read() == b"x" * 100
        """
    )
    result = pytester.runpytest("--s3-emulator-tls")
    result.assert_outcomes(passed=1)
