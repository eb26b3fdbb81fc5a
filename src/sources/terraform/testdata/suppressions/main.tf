resource "aws_sagemaker_notebook_instance" "inside" {
  # cloudconform:skip=SageMaker-004 data science sandbox, no customer data
  name = "inside"
  // cloudconform:skip=SageMaker-005
}

# cloudconform:skip=SageMaker-004,SageMaker-005 approved in TICKET-1
resource "aws_sagemaker_notebook_instance" "above" {
  name = "above" # cloudconform:skip=Other-001 trailing
}

resource "aws_sagemaker_notebook_instance" "none" {
  name = "none"
}
