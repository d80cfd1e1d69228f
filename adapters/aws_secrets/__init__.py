"""AWS Secrets Manager key store (boto3): signing keys in the AWSCURRENT/AWSPENDING/AWSPREVIOUS stages."""
