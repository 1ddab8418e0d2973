// The AWS SDK for Go v2 helper of the conformance harness: one long-lived process per run, one JSON request per
// line on stdin (a step), one JSON answer per line on stdout (what the SDK returned). The harness records the
// HTTP exchanges itself, through its recording proxy: this program only drives the SDK as an application would.
// Built offline from Debian's SDK sources: GO111MODULE=off GOPATH=/usr/share/gocode go build
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

type clientConfig struct {
	Endpoint  string  `json:"endpoint"`
	Region    string  `json:"region"`
	AccessKey string  `json:"access_key"`
	SecretKey string  `json:"secret_key"`
	PathStyle bool    `json:"path_style"`
	Proxy     *string `json:"proxy"`
	CAFile    *string `json:"ca_file"`
}

type request struct {
	Op          string            `json:"op"`
	Client      clientConfig      `json:"client"`
	Bucket      string            `json:"bucket"`
	Key         string            `json:"key"`
	Prefix      string            `json:"prefix"`
	Delimiter   *string           `json:"delimiter"`
	Marker      *string           `json:"marker"`
	MaxKeys     *int32            `json:"max_keys"`
	BodyFile    string            `json:"body_file"`
	ContentType *string           `json:"content_type"`
	Metadata    map[string]string `json:"metadata"`
	Headers     map[string]string `json:"headers"`
	Range       *string           `json:"range"`
	Conditions  map[string]string `json:"conditions"`
}

type answer struct {
	OK         bool           `json:"ok"`
	Code       string         `json:"code,omitempty"`
	Status     int            `json:"status,omitempty"`
	Message    string         `json:"message,omitempty"`
	BodySHA256 string         `json:"body_sha256,omitempty"`
	BodySize   *int           `json:"body_size,omitempty"`
	Page       map[string]any `json:"page,omitempty"`
	Buckets    []string       `json:"buckets,omitempty"`
	URL        string         `json:"url,omitempty"`
}

var clients = map[string]*s3.Client{}

func client(c clientConfig) (*s3.Client, error) {
	k, _ := json.Marshal(c)
	if cl, ok := clients[string(k)]; ok {
		return cl, nil
	}
	var pool *x509.CertPool
	if c.CAFile != nil {
		pem, err := os.ReadFile(*c.CAFile)
		if err != nil {
			return nil, err
		}
		pool = x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
	}
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		if c.Proxy != nil { // explicit: Go never proxies 127.0.0.1 from the environment
			u, _ := url.Parse(*c.Proxy)
			tr.Proxy = http.ProxyURL(u)
		}
		if pool != nil {
			if tr.TLSClientConfig == nil {
				tr.TLSClientConfig = &tls.Config{}
			}
			tr.TLSClientConfig.RootCAs = pool
		}
	})
	cl := s3.New(s3.Options{
		Region:           c.Region,
		Credentials:      credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, ""),
		EndpointResolver: s3.EndpointResolverFromURL(c.Endpoint),
		UsePathStyle:     c.PathStyle,
		HTTPClient:       httpClient,
		Retryer:          aws.NopRetryer{}, // a retry would hide a gap
	})
	clients[string(k)] = cl
	return cl, nil
}

func httpDate(s string) *time.Time {
	t, err := http.ParseTime(s)
	if err != nil {
		return nil
	}
	return &t
}

func opt(m map[string]string, k string) *string {
	if v, ok := m[k]; ok {
		return &v
	}
	return nil
}

func run(ctx context.Context, r request) (answer, error) {
	cl, err := client(r.Client)
	if err != nil {
		return answer{}, err
	}
	b, k := aws.String(r.Bucket), aws.String(r.Key)
	switch r.Op {
	case "ListBuckets":
		out, err := cl.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			return answer{}, err
		}
		a := answer{OK: true, Buckets: []string{}}
		for _, x := range out.Buckets {
			a.Buckets = append(a.Buckets, aws.ToString(x.Name))
		}
		return a, nil
	case "HeadBucket":
		_, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
		return answer{OK: err == nil}, err
	case "ListObjects":
		in := &s3.ListObjectsInput{Bucket: b, Prefix: aws.String(r.Prefix), Delimiter: r.Delimiter, Marker: r.Marker}
		if r.MaxKeys != nil {
			in.MaxKeys = *r.MaxKeys
		}
		out, err := cl.ListObjects(ctx, in)
		if err != nil {
			return answer{}, err
		}
		entries, prefixes := [][]any{}, []string{}
		for _, o := range out.Contents {
			entries = append(entries, []any{aws.ToString(o.Key), o.Size, aws.ToString(o.ETag)})
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		return answer{OK: true, Page: map[string]any{"entries": entries, "prefixes": prefixes,
			"truncated": out.IsTruncated, "next_marker": out.NextMarker}}, nil
	case "PutObject":
		body, err := os.ReadFile(r.BodyFile)
		if err != nil {
			return answer{}, err
		}
		in := &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader(string(body)), ContentType: r.ContentType,
			Metadata: r.Metadata, CacheControl: opt(r.Headers, "cache-control"),
			ContentDisposition: opt(r.Headers, "content-disposition"), ContentLanguage: opt(r.Headers, "content-language"),
			ContentEncoding: opt(r.Headers, "content-encoding")}
		if v, ok := r.Headers["expires"]; ok {
			in.Expires = httpDate(v)
		}
		_, err = cl.PutObject(ctx, in)
		return answer{OK: err == nil}, err
	case "GetObject", "HeadObject":
		c := r.Conditions
		if r.Op == "HeadObject" {
			in := &s3.HeadObjectInput{Bucket: b, Key: k, IfMatch: opt(c, "if_match"), IfNoneMatch: opt(c, "if_none_match")}
			if v, ok := c["if_modified_since"]; ok {
				in.IfModifiedSince = httpDate(v)
			}
			if v, ok := c["if_unmodified_since"]; ok {
				in.IfUnmodifiedSince = httpDate(v)
			}
			_, err := cl.HeadObject(ctx, in)
			return answer{OK: err == nil}, err
		}
		in := &s3.GetObjectInput{Bucket: b, Key: k, Range: r.Range, IfMatch: opt(c, "if_match"),
			IfNoneMatch: opt(c, "if_none_match")}
		if v, ok := c["if_modified_since"]; ok {
			in.IfModifiedSince = httpDate(v)
		}
		if v, ok := c["if_unmodified_since"]; ok {
			in.IfUnmodifiedSince = httpDate(v)
		}
		out, err := cl.GetObject(ctx, in)
		if err != nil {
			return answer{}, err
		}
		defer out.Body.Close()
		data, err := io.ReadAll(out.Body)
		if err != nil {
			return answer{}, err
		}
		sum, size := sha256.Sum256(data), len(data)
		return answer{OK: true, BodySHA256: hex.EncodeToString(sum[:]), BodySize: &size}, nil
	case "DeleteObject":
		_, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k})
		return answer{OK: err == nil}, err
	case "Presign":
		p, err := s3.NewPresignClient(cl).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k},
			s3.WithPresignExpires(10*time.Minute))
		if err != nil {
			return answer{}, err
		}
		return answer{OK: true, URL: p.URL}, nil
	}
	return unsupported(ctx, cl, r, b, k)
}

// operations outside the seven, each sent once as the SDK sends it (the harness expects 501 NotImplemented)
func unsupported(ctx context.Context, cl *s3.Client, r request, b, k *string) (answer, error) {
	var err error
	made := aws.String(r.Bucket + "-created-by-harness")
	switch r.Op {
	case "ListObjectsV2":
		_, err = cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, Prefix: aws.String(r.Prefix)})
	case "CreateMultipartUpload":
		var out *s3.CreateMultipartUploadOutput
		out, err = cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})
		if err == nil {
			cl.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: k, UploadId: out.UploadId})
		}
	case "GetBucketLocation":
		_, err = cl.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
	case "GetObjectAcl":
		_, err = cl.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: k})
	case "CopyObject":
		_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String(r.Key + ".copy"),
			CopySource: aws.String(url.PathEscape(r.Bucket) + "/" + r.Key)})
	case "DeleteObjects":
		_, err = cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{
			Objects: []types.ObjectIdentifier{{Key: aws.String(r.Key + ".absent")}}}})
	case "CreateBucket":
		_, err = cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: made})
	case "DeleteBucket":
		_, err = cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: made})
	default:
		return answer{}, errors.New("unknown op " + r.Op)
	}
	return answer{OK: err == nil}, err
}

func failure(err error) answer {
	a := answer{OK: false, Message: err.Error()}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		a.Code = ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		a.Status = re.HTTPStatusCode()
	}
	if len(a.Message) > 500 {
		a.Message = a.Message[:500]
	}
	return a
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var r request
		var a answer
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			a = answer{OK: false, Message: "bad request: " + err.Error()}
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
			res, err := run(ctx, r)
			cancel()
			if err != nil {
				a = failure(err)
			} else {
				a = res
			}
		}
		if err := out.Encode(a); err != nil {
			os.Exit(1)
		}
	}
}
